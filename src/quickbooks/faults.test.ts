import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { parseFault } from './faults';

const reference = (file: string) => fs.readFileSync(path.resolve(PROJECT_ROOT, '../shared/reference/qbo', file), 'utf8');
const recorded = (file: string, index = 0) => (JSON.parse(reference(`responses/${file}`)) as Array<{ response: { status: number; body_json: unknown } }>)[index]!.response;

describe('parseFault', () => {
  it('reads the Fault envelope (a stale SyncToken)', () => {
    const fault = parseFault(400, JSON.stringify({ Fault: { Error: [{ Message: 'Stale Object Error', Detail: 'Stale Object Error : ...', code: '5010', element: '' }], type: 'ValidationFault' } }), 'tid-1');
    expect(fault).toMatchObject({ faultCode: '5010', httpStatus: 400, intuitTid: 'tid-1', retryable: false });
  });

  it('reads the lower-case authentication envelope of a real 401', () => {
    const response = recorded('error/401.json');
    expect(parseFault(response.status, JSON.stringify(response.body_json))).toMatchObject({ faultCode: '3200', httpStatus: 401 });
  });

  it('reads the XML throttle answers as retryable 3001', () => {
    for (const file of ['throttle_exceeded_error.xml', 'too_many_requests_error.xml']) {
      expect(parseFault(429, reference(`responses-xml/${file}`))).toMatchObject({ faultCode: '3001', retryable: true });
    }
  });

  it('finds a Fault inside a 200 answer, and none in a plain success', () => {
    expect(parseFault(200, JSON.stringify({ Fault: { Error: [{ Message: 'x', Detail: 'y', code: '6000' }] } }))?.faultCode).toBe('6000');
    expect(parseFault(200, JSON.stringify(recorded('get/id.json').body_json))).toBeUndefined();
  });

  it('treats 5xx and unreadable answers as retryable', () => {
    expect(parseFault(503, 'Service Unavailable')).toMatchObject({ httpStatus: 503, retryable: true });
    expect(parseFault(500, JSON.stringify({ Fault: { Error: [{ Message: 'System Failure Error', code: '10000' }] } }))).toMatchObject({ faultCode: '10000', retryable: true });
  });
});

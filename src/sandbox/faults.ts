/**
 * QuickBooks' error answers, shaped exactly as the recordings in shared/reference/qbo show them:
 * the `Fault` envelope for API errors, the lower-case `fault` envelope for authentication, and
 * the XML throttle answer that arrives even when JSON was asked for.
 */

export interface FaultError {
  Message: string;
  Detail: string;
  code: string;
  element?: string;
}

export class SandboxFault extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

export function timestamp(date: Date): string {
  // Intuit answers carry a local time with offset; the sandbox speaks UTC written the same way.
  return date.toISOString().replace('Z', '-00:00');
}

export function faultBody(errors: FaultError[], type = 'ValidationFault', now = new Date()) {
  return { Fault: { Error: errors, type }, time: timestamp(now) };
}

export function validationFault(code: string, message: string, detail: string, element?: string, status = 400): SandboxFault {
  return new SandboxFault(status, faultBody([{ Message: message, Detail: detail, code, ...(element !== undefined ? { element } : {}) }]));
}

export const faults = {
  notFound: () =>
    validationFault('610', 'Object Not Found', `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.`, ''),
  stale: () =>
    validationFault('5010', 'Stale Object Error', 'Stale Object Error : You and Sandbox User were working on this at the same time. Sandbox User finished before you did, so your work was not saved.', ''),
  invalidQuery: (detail: string) => validationFault('4001', 'Invalid query', `QueryValidationError: ${detail}`),
  unsupportedProperty: (entity: string, property: string) =>
    validationFault('2010', 'Request has invalid or unsupported property', `Property Name:Unrecognized field "${property}" (class com.intuit.schema.finance.v3.${entity}), not marked as ignorable specified is unsupported or invalid`),
  required: (element: string) =>
    validationFault('2020', 'Required param missing, need to supply the required value for the API', `Required parameter ${element} is missing in the request`, element),
  invalidId: (value: string) => validationFault('2030', 'Invalid ID', `Id should be a valid number. Supplied value:${value}`, 'Id'),
  invalidReference: (entity: string, id: string) =>
    validationFault('2500', 'Invalid Reference Id', `Invalid Reference Id : ${entity} assigned to this transaction has been deleted. Before you can modify this transaction, you must restore ${entity} ${id}`),
  businessValidation: (detail: string) => validationFault('6000', 'A business validation error has occurred while processing your request', `Business Validation Error: ${detail}`, ''),
  duplicateName: () => validationFault('6240', 'Duplicate Name Exists Error', 'The name supplied already exists. : null'),
  unsupportedOperation: (path: string) =>
    validationFault('500', 'Unsupported Operation', `Operation Could not find resource for relative : ${path} is not supported.`),
  malformedBody: (detail: string) => validationFault('2010', 'Request has invalid or unsupported property', `Error parsing object: ${detail}`),
  serverError: () =>
    new SandboxFault(500, faultBody([{ Message: 'An application error has occurred while processing your request', Detail: 'System Failure Error: An unexpected error occurred while accessing or saving your data. Please wait a few minutes and try again.', code: '10000' }], 'SystemFault')),
  batchTooLarge: () => validationFault('10000', 'An application error has occurred while processing your request', 'Number of items in a batch request exceeds the limit of 30'),
};

/** 401 in the lower-case envelope QuickBooks uses for authentication failures. */
export function authenticationFault(detail: string, now = new Date()): SandboxFault {
  return new SandboxFault(
    401,
    {
      warnings: null,
      intuitObject: null,
      fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail, code: '3200', element: null }], type: 'AUTHENTICATION' },
      report: null,
      queryResponse: null,
      batchItemResponse: [],
      attachableResponse: [],
      syncErrorResponse: null,
      requestId: null,
      time: now.getTime(),
      status: null,
      cdcresponse: [],
    },
    'application/json',
    { 'WWW-Authenticate': 'Bearer realm="Intuit", error="invalid_token"' },
  );
}

/** 403 for a token that is valid but not for this company. */
export function authorizationFault(now = new Date()): SandboxFault {
  return new SandboxFault(403, faultBody([{ Message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403', Detail: '', code: '3100' }], 'SECURITY', now));
}

/** The throttle answer: HTTP 429 with an XML body, whatever Accept said. */
export function throttleFault(now = new Date()): SandboxFault {
  const xml =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    `<IntuitResponse time="${timestamp(now)}" xmlns="http://schema.intuit.com/finance/v3">\n` +
    '    <Fault type="SERVICE">\n' +
    '        <Error code="3001">\n' +
    '            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n' +
    '            <Detail>The request limit was reached.  Try again later</Detail>\n' +
    '        </Error>\n' +
    '    </Fault>\n' +
    '</IntuitResponse>';
  return new SandboxFault(429, xml, 'application/xml', { 'Retry-After': '60' });
}

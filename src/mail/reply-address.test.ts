import { ReplyAddresses } from './reply-address';

const addresses = new ReplyAddresses('Replies@In.Harbor.test', 'a-secret-of-its-own-0123456789abcdef');

describe('each account\'s signed reply address', () => {
  it('names its company and account, read back whatever the case', () => {
    const address = addresses.of({ realmId: '9341001', customerId: '58' })!;
    expect(address).toMatch(/^replies\+9341001\.58\.[0-9a-f]{20}@in\.harbor\.test$/);
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(addresses.read(address)).toEqual({ realmId: '9341001', customerId: '58' });
    expect(addresses.read(address.toUpperCase())).toEqual({ realmId: '9341001', customerId: '58' });
  });

  it('reads nothing from a tampered, moved or foreign address', () => {
    const address = addresses.of({ realmId: '9341001', customerId: '58' })!;
    const mac = address.split('.')[2]!.split('@')[0]!;
    expect(addresses.read(address.replace('.58.', '.59.'))).toBeNull();
    expect(addresses.read(address.replace(mac, `${mac.slice(0, -1)}${mac.endsWith('0') ? '1' : '0'}`))).toBeNull();
    expect(addresses.read(address.replace('@in.harbor.test', '@evil.test'))).toBeNull();
    expect(addresses.read(address.replace('replies+', 'other+'))).toBeNull();
    expect(addresses.read('replies@in.harbor.test')).toBeNull();
    expect(new ReplyAddresses('replies@in.harbor.test', 'another-secret-entirely-0123456789abc').read(address)).toBeNull();
  });

  it('gives no tag to ids a folded local part would change, and knows its own addresses', () => {
    expect(addresses.of({ realmId: '9341001', customerId: 'Ab-1' })).toBeNull();
    expect(addresses.isOurs('replies@in.harbor.test')).toBe(true);
    expect(addresses.isOurs('replies+anything@in.harbor.test')).toBe(true);
    expect(addresses.isOurs('someone@in.harbor.test')).toBe(false);
    expect(addresses.isOurs('replies@harbor.test')).toBe(false);
  });
});

import { markedOne, mayBeContacted, stoppedCallNotice } from './do-not-contact';

describe('do not contact', () => {
  it('a customer marked, or one whose paying account is marked, may not be contacted; the mark is found on either', () => {
    expect(mayBeContacted({ payerId: 'p', doNotContact: [] }, 's')).toBe(true);
    expect(mayBeContacted({ payerId: 'p', doNotContact: ['p'] }, 's')).toBe(false);
    expect(mayBeContacted({ payerId: 's', doNotContact: ['s'] }, 's')).toBe(false);
    expect(markedOne({ payerId: 'p', doNotContact: ['p', 's'] }, 's')).toBe('s');
    expect(markedOne({ payerId: 'p', doNotContact: ['p'] }, 's')).toBe('p');
    expect(markedOne({ payerId: 'p', doNotContact: [] }, 's')).toBeNull();
  });

  it('tells the collector why a call sets nothing going, in the words the stop was given in', () => {
    expect(stoppedCallNotice('Dana Lee', { source: 'customer_reply', reason: 'Stop calling me', markedOn: '2026-11-20' })).toBe(
      'Dana Lee asked on 2026-11-20 not to be contacted ("Stop calling me", asked by the customer in a reply): the call is noted, but no call back, call task or email is set up for them. If they ask to hear from you again, lift "Do not contact" on their page first.',
    );
    expect(stoppedCallNotice('Acme', { source: 'collector', reason: 'Lawyer involved', markedOn: '2026-11-02' })).toMatch(/^Acme was marked do not contact on 2026-11-02 \("Lawyer involved", marked by the collector\): /);
    expect(stoppedCallNotice('Acme', undefined)).toMatch(/^Acme is marked do not contact: the call is noted/);
  });
});

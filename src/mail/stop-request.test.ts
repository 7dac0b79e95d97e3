import { asksToStop } from './stop-request';

describe('asksToStop', () => {
  it.each([
    'STOP',
    'Stop.',
    'stop!!',
    'Please stop contacting me.',
    'Hi, please stop emailing me about this.',
    'Stop sending me reminders',
    'Unsubscribe',
    'unsubscribe me please',
    'Do not contact me again.',
    "Don’t email me anymore",
    'Remove me from your list',
    'Hello,\n\nremove me.\n\nThanks, Dana',
    'Take me off your mailing list',
    'Please stop contacting me\n\nOn Mon, 23 Nov 2026, Quay Supply wrote:\n> Your invoice is overdue',
  ])('reads %j as a request to stop', (text) => {
    expect(asksToStop({ subject: 'Re: Invoice 1042 is overdue', text })).toBe(true);
  });

  it.each([
    'Paid yesterday, see attached.',
    'I will stop by your office on Monday to pay.',
    'Stop by on Monday and I will have the cheque.',
    'We had to stop the payment because the amount was wrong.',
    'Can you remove the late fee?',
    'Please do not contact my husband about this, send it to me.',
    'I am out of the office until Monday.',
    '',
    'Thanks!\n\nOn Mon, 23 Nov 2026, Quay Supply wrote:\n> To stop, reply STOP\n> unsubscribe',
    'The invoice says unsubscribe fees, what are they?',
  ])('does not read %j as one', (text) => {
    expect(asksToStop({ subject: 'Re: Invoice 1042 is overdue', text })).toBe(false);
  });

  it('counts a subject that is only the request, and no other', () => {
    expect(asksToStop({ subject: 'unsubscribe', text: '' })).toBe(true);
    expect(asksToStop({ subject: 'Re: STOP', text: 'Sent from my phone' })).toBe(true);
    expect(asksToStop({ subject: 'Re: How do I stop the direct debit?', text: '' })).toBe(false);
  });
});

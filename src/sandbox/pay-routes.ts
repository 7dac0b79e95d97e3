import express, { Router } from 'express';
import type { Ref } from './entities';
import { escapeHtml } from './html';
import type { Sandbox } from './sandbox';


/**
 * The online pay page an `InvoiceLink` points to: shows the balance and, on "Pay", records a
 * QuickBooks Payments payment for it, as a customer paying online would.
 */
export function payRoutes(sandbox: Sandbox): Router {
  const router = Router();
  router.get('/pay/:realmId/:invoiceId', (req, res) => {
    const invoice = sandbox.realm(req.params.realmId)?.get('Invoice', req.params.invoiceId);
    if (!invoice) return void res.status(404).type('text/plain').send('This payment link is not valid.');
    const balance = Number(invoice.Balance ?? 0);
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay invoice ${escapeHtml(String(invoice.DocNumber))}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:480px;margin:40px auto"><h1>Invoice ${escapeHtml(String(invoice.DocNumber))}</h1>
<p>${escapeHtml(String((invoice.CustomerRef as Ref).name ?? ''))} · due ${escapeHtml(String(invoice.DueDate ?? ''))}</p>
<p>Balance due: <strong>${balance.toFixed(2)}</strong></p>
${balance > 0 ? `<form method="post"><button type="submit">Pay ${balance.toFixed(2)} now</button></form>` : '<p>Paid in full. Thank you.</p>'}</body></html>`);
  });
  router.post('/pay/:realmId/:invoiceId', express.urlencoded({ extended: false }), (req, res) => {
    const realm = sandbox.realm(req.params.realmId);
    const invoice = realm?.get('Invoice', req.params.invoiceId);
    if (!realm || !invoice) return void res.status(404).type('text/plain').send('This payment link is not valid.');
    const balance = Number(invoice.Balance ?? 0);
    if (balance > 0) {
      realm.create('Payment', {
        CustomerRef: { value: (invoice.CustomerRef as Ref).value },
        TotalAmt: balance,
        PaymentRefNum: 'ONLINE',
        Line: [{ Amount: balance, LinkedTxn: [{ TxnId: invoice.Id, TxnType: 'Invoice' }] }],
      });
    }
    res.redirect(303, req.originalUrl);
  });
  return router;
}

import { parentPort } from 'node:worker_threads';
import { TemplateError } from './render-error';
import { TemplateEngine } from './render-engine';
import type { RenderFailure, RenderReply, RenderRequest } from './render-pool';
import type { TemplatePart } from './templates';

/**
 * A render thread (started by render-pool.ts): checks and renders templates one request at a
 * time and answers with the result or the TemplateError's fields. Before each part it says which
 * part it is on, so a render stopped for its time names the part that ran too long.
 */

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs only as a worker thread');
const engine = new TemplateEngine();
const reply = (message: RenderReply) => port.postMessage(message);

port.on('message', ({ id, request }: { id: number; request: RenderRequest }) => {
  const onPart = (part: TemplatePart) => reply({ type: 'part', id, part });
  try {
    const value =
      request.op === 'check'
        ? engine.check(request.name, request.part, request.source)
        : request.op === 'render'
          ? engine.render(request.name, request.data, request.overrides, onPart)
          : engine.renderLetter(request.name, request.data, request.overrides, onPart);
    reply({ type: 'done', id, value });
  } catch (error) {
    const failure: RenderFailure = error instanceof TemplateError ? { template: error.template, part: error.part, line: error.line, reason: error.reason } : { message: error instanceof Error ? error.message : String(error) };
    reply({ type: 'failed', id, error: failure });
  }
});
reply({ type: 'ready' });

import { BadRequestError } from '../errors';
import type { TemplatePart } from './templates';

/** A template that cannot be used: which one, which part, the line when known, and why. */
export class TemplateError extends BadRequestError {
  constructor(
    readonly template: string,
    readonly part: TemplatePart,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${template} ${part}${line ? `, line ${line}` : ''}: ${reason}`, { template, part, line, reason });
  }

  /** Where and what, for a person: `the html part, line 3: unknown helper "shout"`. */
  get inPart(): string {
    return `the ${this.part} part${this.line ? `, line ${this.line}` : ''}: ${this.reason}`;
  }
}

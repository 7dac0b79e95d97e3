import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { registerViewHelpers } from './presenters/helpers';

type Template = Handlebars.TemplateDelegate;

/**
 * Express view engine over Handlebars: `views/<name>.hbs` rendered inside `views/layouts/main.hbs`
 * (or the `layout` the view asks for), with every file of `views/partials/` as a partial.
 * Templates are compiled once per process unless `reload` is set (development).
 */
export function createViewEngine(viewsDir: string, { reload = false }: { reload?: boolean } = {}) {
  const hbs = Handlebars.create();
  registerViewHelpers(hbs);
  const cache = new Map<string, Template>();

  const compile = (file: string): Template => {
    const cached = reload ? undefined : cache.get(file);
    if (cached) return cached;
    const template = hbs.compile(fs.readFileSync(file, 'utf8'), { strict: false, noEscape: false });
    cache.set(file, template);
    return template;
  };

  const loadPartials = () => {
    const dir = path.join(viewsDir, 'partials');
    if (!fs.existsSync(dir)) return;
    for (const file of fs.readdirSync(dir)) {
      if (file.endsWith('.hbs')) hbs.registerPartial(path.basename(file, '.hbs'), fs.readFileSync(path.join(dir, file), 'utf8'));
    }
  };
  loadPartials();

  return function render(file: string, options: object, callback: (error: Error | null, html?: string) => void) {
    const locals = options as Record<string, unknown>;
    try {
      if (reload) loadPartials();
      const body = compile(file)(locals);
      const layoutName = locals.layout === false ? undefined : String(locals.layout ?? 'main');
      if (!layoutName) return callback(null, body);
      const layout = compile(path.join(viewsDir, 'layouts', `${layoutName}.hbs`));
      callback(null, layout({ ...locals, body }));
    } catch (error) {
      callback(error as Error);
    }
  };
}

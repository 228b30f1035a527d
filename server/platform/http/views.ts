import path from 'node:path';
import type { Application } from 'express';
import { create } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';
import { viewsDir } from '../paths';

// Helpers here format; they never query. User content is always escaped ({{ }}); no helper returns SafeString of it.
export function configureViews(app: Application): void {
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers: {
      t(key: string, options: HelperOptions) {
        const translate = options.data.root.translate as ((k: string, v: object) => string) | undefined;
        return translate ? translate(key, options.hash) : key;
      },
      eq: (a: unknown, b: unknown) => a === b,
      isNull: (value: unknown) => value === null || value === undefined,
      or2: (a: unknown, b: unknown) => Boolean(a || b),
      concat: (...args: unknown[]) => args.slice(0, -1).join(''),
      anyChecked: (options: Array<{ checked: boolean }>) => Array.isArray(options) && options.some((o) => o.checked),
      fieldClass: (errors: Record<string, string> | undefined, field: string) => (errors && errors[field] ? 'field field--error' : 'field'),
      fieldError: (errors: Record<string, string> | undefined, field: string) => errors?.[field] ?? '',
    },
  });
  app.engine('.hbs', hbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', viewsDir);
  // Templates and partials compiled once per process, whatever NODE_ENV says (Express caches only in
  // production): compiling them on every response was the largest cost of a feedback submission.
  app.enable('view cache');
}

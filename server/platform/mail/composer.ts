import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { viewsDir } from '../paths';
import type { Translator } from '../i18n';
import type { OutgoingEmail } from './outbox';

export type EmailTemplate =
  | 'verify-email'
  | 'already-registered'
  | 'reset-password'
  | 'feedback-received'
  | 'feedback-routed'
  | 'feedback-reply'
  | 'feedback-submitter-replied'
  | 'feedback-timeframe'
  | 'escalation-warning'
  | 'escalation-moved'
  | 'complaint-received'
  | 'complaint-new'
  | 'complaint-update'
  | 'complaint-due'
  | 'survey-invitation'
  | 'survey-reminder'
  | 'survey-staff-report'
  | 'solicitation-request'
  | 'solicitation-reminder'
  | 'role-granted'
  | 'sign-in-failures';

/**
 * Renders an e-mail from views/emails/<template>.txt.hbs (plain text, with the `t` helper) and a
 * subject from the catalogue (emails.<template>.subject). The HTML part is the same text, escaped,
 * one paragraph per blank-line-separated block.
 */
export function createEmailComposer(translator: Translator, mailDir = path.join(viewsDir, 'emails')) {
  const textEngine = Handlebars.create();
  textEngine.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
    return (options.data.root.translate as (k: string, v: object) => string)(key, options.hash);
  });
  textEngine.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  const layout = Handlebars.create().compile(fs.readFileSync(path.join(mailDir, 'layout.html.hbs'), 'utf8'));
  const cache = new Map<string, Handlebars.TemplateDelegate>();
  const template = (name: string) => {
    let compiled = cache.get(name);
    if (!compiled) {
      compiled = textEngine.compile(fs.readFileSync(path.join(mailDir, `${name}.txt.hbs`), 'utf8'), { noEscape: true });
      cache.set(name, compiled);
    }
    return compiled;
  };

  return {
    compose(name: EmailTemplate, to: string, locale: string, values: Record<string, unknown>): OutgoingEmail {
      const translate = translator.forLocale(locale);
      const text = template(name)({ ...values, translate }).trim() + '\n';
      const paragraphs = text.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean);
      return {
        to,
        template: name,
        subject: translate(`emails.${name}.subject`, values),
        text,
        html: layout({ paragraphs, lang: locale, footer: translate('emails.footer') }),
      };
    },
  };
}

export type EmailComposer = ReturnType<typeof createEmailComposer>;

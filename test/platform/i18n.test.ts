import fs from 'node:fs';
import i18nextLibrary from 'i18next';
import path from 'node:path';
import en from '../../server/platform/i18n/locales/en.json';
import { createTranslator } from '../../server/platform/i18n';
import { projectRoot } from '../../server/platform/paths';
import { ROLES } from '../../server/platform/auth/roles';
import { ATTRIBUTIONS, EVENT_TYPES, FEEDBACK_KINDS, ROUTED_ITEM_STATUSES, ROUTING_TARGETS } from '../../server/features/routing/routing.schema';
import { STAFF_VISIBILITY } from '../../server/features/feedback/feedback.schema';
import { ESCALATION_TARGETS, TARGET_UNITS } from '../../server/features/service-levels/service-levels.schema';
import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, REDIRECTS } from '../../server/features/complaints/complaints.schema';
import { MEMBER_ROLES, WORKING_GROUP_TYPES } from '../../server/features/surveys/working-groups.schema';
import { CYCLE_STATUSES } from '../../server/features/reviews/cycles.schema';
import { STAFF_REPORT_CONTENTS } from '../../server/features/surveys/surveys.schema';

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full, ext) : full.endsWith(ext) ? [full] : [];
  });
}

function has(key: string): boolean {
  let node: unknown = en;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string';
}

describe('the English catalogue', () => {
  it('when a view, an e-mail or the server names a translation key, then the catalogue has it', () => {
    const used = new Set<string>();
    for (const file of filesUnder(path.join(projectRoot, 'views'), '.hbs')) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?<![\w])t "([a-zA-Z0-9_.-]+)"/g)) used.add(m[1]!);
    }
    for (const file of filesUnder(path.join(projectRoot, 'server'), '.ts')) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\b(?:t|translate)\('([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]!);
      // Message keys handed to errors, schemas and flashes.
      // Audit action names look like keys but are not shown to anyone.
      for (const m of source.matchAll(/(?<!action: )'((?:validation|errors|directory|accounts|emails|workingGroups|reviews)\.[a-zA-Z0-9_.-]+)'/g)) used.add(m[1]!);
    }
    // Keys built from a prefix and a value: every value of each set needs its entry.
    const families: Array<[string, readonly string[]]> = [
      ['roles.', ROLES],
      ['feedback.kind.', FEEDBACK_KINDS],
      ['inbox.status.', ROUTED_ITEM_STATUSES],
      ['inbox.event.', EVENT_TYPES],
      ['inbox.replyHint.', ATTRIBUTIONS],
      ['routingRules.target.', ROUTING_TARGETS],
      ['feedback.visibility.', STAFF_VISIBILITY],
      ['serviceLevels.unitName.', TARGET_UNITS],
      ['complaints.category.', COMPLAINT_CATEGORIES],
      ['complaints.stage.', ['acknowledge', 'respond']],
      ['serviceLevels.ladder.target.', ESCALATION_TARGETS],
      ['serviceLevels.dueKind.', ['acknowledge', 'respond']],
      ['complaints.status.', COMPLAINT_STATUSES],
      ['complaints.redirect.', REDIRECTS],
      ['complaints.decision.', ['in_scope', ...REDIRECTS]],
      ['complaints.event.', ['received', 'acknowledged', 'in_scope', 'resolved', ...REDIRECTS.map((r) => `redirected_${r}`)]],
      ['serviceLevels.unit.', TARGET_UNITS.flatMap((u) => [`${u}_one`, `${u}_other`])],
      ['workingGroups.type.', WORKING_GROUP_TYPES],
      ['workingGroups.role.', MEMBER_ROLES],
      ['workingGroups.import.status.', ['added', 'updated', 'unchanged', 'error']],
      ['reviews.status.', CYCLE_STATUSES],
      ['feedback.requested.', ['answered', 'expired']],
      ...(['solicitation-request', 'solicitation-reminder'] as const).map((e): [string, readonly string[]] => [`emails.${e}.`, ['subject']]),
      ...ATTRIBUTIONS.map((a): [string, readonly string[]] => [`feedback.attribution.${a}.`, a === 'named' ? ['label', ...STAFF_VISIBILITY.map((v) => `help.${v}`)] : ['label', 'help']]),
      ['surveys.promise.staff.', STAFF_REPORT_CONTENTS],
      ['emails.survey-staff-report.body.', STAFF_REPORT_CONTENTS],
    ];
    for (const [prefix, values] of families) for (const value of values) used.add(prefix + value);
    expect(used.size).toBeGreaterThan(80);
    expect([...used].filter((key) => !has(key)).sort()).toEqual([]);
  });

  it('when the server records an audit action or subject, then the audit log has a label for it', () => {
    const actions = new Set<string>(['review_cycle.open', 'review_cycle.close']);
    const subjects = new Set<string>();
    for (const file of filesUnder(path.join(projectRoot, 'server'), '.ts')) {
      const source = fs.readFileSync(file, 'utf8');
      // Either a code, or a choice of two (action: existing ? 'a.update' : 'a.assign').
      for (const m of source.matchAll(/action: (?:[^,'?`]+\? )?'([a-z_-]+(?:\.[a-z_-]+)+)'(?: : '([a-z_-]+(?:\.[a-z_-]+)+)')?/g)) {
        actions.add(m[1]!);
        if (m[2]) actions.add(m[2]);
      }
      for (const m of source.matchAll(/subjectType: '([a-z_]+)'/g)) subjects.add(m[1]!);
    }
    expect(actions.size).toBeGreaterThan(40);
    expect(subjects.size).toBeGreaterThan(15);
    expect([...actions].filter((a) => !has(`audit.action.${a}`)).sort()).toEqual([]);
    expect([...subjects].filter((s) => !has(`audit.subject.${s}`)).sort()).toEqual([]);
  });

  it('when a language is not offered yet, then English is used', async () => {
    const translator = await createTranslator();
    expect(translator.pickLocale('fr-FR,fr;q=0.9')).toBe('en');
    expect(translator.forLocale('fr')('nav.signIn')).toBe('Sign in');
  });

  it('when a value is interpolated, then it is not HTML-escaped twice (views escape it once)', async () => {
    const t = (await createTranslator()).forLocale('en');
    expect(t('home.signedInAs', { name: 'O\'Brien & <Co>' })).toBe("You are signed in as O'Brien & <Co>.");
  });
});

describe('phrases remembered per locale', () => {
  function keysOf(node: Record<string, unknown>, prefix = ''): string[] {
    return Object.entries(node).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keysOf(v as Record<string, unknown>, `${prefix}${k}.`)));
  }

  it('when a phrase without values is asked for again, then it reads as the catalogue gives it, and phrases with values are still filled in each time', async () => {
    const i18next = i18nextLibrary.createInstance();
    await i18next.init({ resources: { en: { translation: en } }, lng: 'en', interpolation: { escapeValue: false }, returnNull: false });
    const t = (await createTranslator()).forLocale('en');
    for (const key of keysOf(en)) {
      const expected = i18next.t(key, {});
      expect(t(key)).toBe(expected);
      expect(t(key, {})).toBe(expected);
    }
    expect(t('feedback.form.title', { name: 'Ada' })).toBe(i18next.t('feedback.form.title', { name: 'Ada' }));
    expect(t('feedback.form.title', { name: 'Grace' })).toBe(i18next.t('feedback.form.title', { name: 'Grace' }));
    expect(t('feedback.form.title', { name: 'Grace' })).toContain('Grace');
  });
});

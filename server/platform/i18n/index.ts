import i18next, { type i18n as I18n, type TFunction } from 'i18next';
import en from './locales/en.json';

export type Translate = (key: string, values?: Record<string, unknown>) => string;

export const SUPPORTED_LOCALES = ['en'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export interface Translator {
  forLocale(locale: string | undefined): Translate;
  pickLocale(acceptLanguage: string | undefined): Locale;
}

// Escaping is left to Handlebars (views) and to the mail renderer, so i18next must not escape too.
export async function createTranslator(): Promise<Translator> {
  const instance: I18n = i18next.createInstance();
  await instance.init({
    resources: { en: { translation: en } },
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const byLocale = new Map<string, Translate>();
  for (const locale of SUPPORTED_LOCALES) byLocale.set(locale, rememberPlainPhrases(instance.getFixedT(locale)));
  return {
    forLocale(locale) {
      return byLocale.get(locale ?? DEFAULT_LOCALE) ?? byLocale.get(DEFAULT_LOCALE)!;
    },
    pickLocale(acceptLanguage) {
      const wanted = (acceptLanguage ?? '')
        .split(',')
        .map((part) => part.split(';')[0]!.trim().slice(0, 2).toLowerCase());
      return (wanted.find((w) => (SUPPORTED_LOCALES as readonly string[]).includes(w)) as Locale) ?? DEFAULT_LOCALE;
    },
  };
}

/**
 * A phrase without values is the same every time (the catalogue never changes while the process
 * runs), and a page asks for dozens of them (navigation, labels): each is looked up once. Phrases
 * with values (interpolation, plurals) are translated every time.
 */
function rememberPlainPhrases(t: TFunction): Translate {
  const plain = new Map<string, string>();
  return (key, values) => {
    if (values && Object.keys(values).length > 0) return t(key, values) as string;
    let phrase = plain.get(key);
    if (phrase === undefined) plain.set(key, (phrase = t(key, {}) as string));
    return phrase;
  };
}

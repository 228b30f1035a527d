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
  const byLocale = new Map<string, TFunction>();
  for (const locale of SUPPORTED_LOCALES) byLocale.set(locale, instance.getFixedT(locale));
  return {
    forLocale(locale) {
      const t = byLocale.get(locale ?? DEFAULT_LOCALE) ?? byLocale.get(DEFAULT_LOCALE)!;
      return (key, values) => t(key, values ?? {}) as string;
    },
    pickLocale(acceptLanguage) {
      const wanted = (acceptLanguage ?? '')
        .split(',')
        .map((part) => part.split(';')[0]!.trim().slice(0, 2).toLowerCase());
      return (wanted.find((w) => (SUPPORTED_LOCALES as readonly string[]).includes(w)) as Locale) ?? DEFAULT_LOCALE;
    },
  };
}

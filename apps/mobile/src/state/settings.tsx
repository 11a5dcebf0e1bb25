/**
 * The person's device settings: language, theme and app lock. They are preferences, not secrets,
 * so they live in AsyncStorage (localStorage on the web); tokens never do (issue 13).
 */
import AsyncStorage from '@react-native-async-storage/async-storage';
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useState } from 'react';
import type { LanguageSetting } from '../i18n';
import type { ThemeSetting } from '../theme';

/** `unset`: not offered yet (it is offered once, after the first sign-in); `off`: declined or turned off. */
export type AppLockSetting = 'unset' | 'on' | 'off';

export interface Settings {
  readonly language: LanguageSetting;
  readonly theme: ThemeSetting;
  readonly appLock: AppLockSetting;
}

export const defaultSettings: Settings = { language: 'system', theme: 'system', appLock: 'unset' };
export const settingsStorageKey = 'nextgen.settings.v1';

const languageValues: readonly string[] = ['system', 'en', 'de'];
const themeValues: readonly string[] = ['system', 'light', 'dark'];
const appLockValues: readonly string[] = ['unset', 'on', 'off'];

/** Stored JSON from an older or tampered version: each field falls back to its default on its own. */
export function parseSettings(raw: string | null): Settings {
  if (!raw) return defaultSettings;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return defaultSettings;
  }
  const pick = <T extends string>(key: keyof Settings, allowed: readonly string[]): T =>
    (typeof value[key] === 'string' && allowed.includes(value[key]) ? value[key] : defaultSettings[key]) as T;
  return {
    language: pick<LanguageSetting>('language', languageValues),
    theme: pick<ThemeSetting>('theme', themeValues),
    appLock: pick<AppLockSetting>('appLock', appLockValues),
  };
}

interface SettingsContextValue {
  readonly settings: Settings;
  readonly loaded: boolean;
  readonly update: (change: Partial<Settings>) => void;
}

const SettingsContext = createContext<SettingsContextValue | null>(null);

export function SettingsProvider({ children, initial }: { children: ReactNode; initial?: Settings }) {
  const [settings, setSettings] = useState<Settings>(initial ?? defaultSettings);
  const [loaded, setLoaded] = useState(initial !== undefined);

  useEffect(() => {
    if (initial) return;
    let live = true;
    AsyncStorage.getItem(settingsStorageKey)
      .then((raw) => live && setSettings(parseSettings(raw)))
      .catch(() => {})
      .finally(() => live && setLoaded(true));
    return () => {
      live = false;
    };
  }, [initial]);

  const update = useCallback((change: Partial<Settings>) => {
    setSettings((current) => {
      const next = { ...current, ...change };
      void AsyncStorage.setItem(settingsStorageKey, JSON.stringify(next)).catch(() => {});
      return next;
    });
  }, []);

  const value = useMemo(() => ({ settings, loaded, update }), [settings, loaded, update]);
  return <SettingsContext value={value}>{children}</SettingsContext>;
}

export function useSettings(): SettingsContextValue {
  const value = use(SettingsContext);
  if (!value) throw new Error('useSettings needs a SettingsProvider');
  return value;
}

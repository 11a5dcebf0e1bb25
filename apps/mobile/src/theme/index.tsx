/**
 * Light and dark palettes. The app follows the system scheme unless the person chose one in
 * settings. Colour pairs keep WCAG AA contrast (4.5:1 for text) in both schemes.
 */
import { createContext, type ReactNode, use } from 'react';
import { useColorScheme } from 'react-native';

export type ThemeSetting = 'system' | 'light' | 'dark';
export type Scheme = 'light' | 'dark';

export interface Palette {
  readonly background: string;
  readonly surface: string;
  readonly text: string;
  readonly textMuted: string;
  readonly primary: string;
  readonly onPrimary: string;
  readonly border: string;
  readonly danger: string;
  readonly warningBackground: string;
  readonly warningText: string;
  readonly credit: string;
  /** Behind a dialog (the step-up sheet): dims the screen it covers. */
  readonly backdrop: string;
}

export const palettes: Record<Scheme, Palette> = {
  light: {
    background: '#f6f7f9',
    surface: '#ffffff',
    text: '#111418',
    textMuted: '#4a5360',
    primary: '#0b5cad',
    onPrimary: '#ffffff',
    border: '#c9ced6',
    danger: '#b3261e',
    warningBackground: '#fff4d6',
    warningText: '#5c4200',
    credit: '#16683a',
    backdrop: 'rgba(0, 0, 0, 0.45)',
  },
  dark: {
    background: '#0d1014',
    surface: '#181c22',
    text: '#eef1f5',
    textMuted: '#aab3bf',
    primary: '#8cc2ff',
    onPrimary: '#00213f',
    border: '#3a424d',
    danger: '#ffb4ab',
    warningBackground: '#3d2f00',
    warningText: '#ffe08a',
    credit: '#7ad99b',
    backdrop: 'rgba(0, 0, 0, 0.65)',
  },
};

export interface Theme {
  readonly scheme: Scheme;
  readonly colors: Palette;
  /** Base spacing unit in density-independent pixels. */
  readonly spacing: number;
  /** Smallest touch target (WCAG 2.5.5 / platform guidelines). */
  readonly minTouchSize: number;
}

export function themeFor(scheme: Scheme): Theme {
  return { scheme, colors: palettes[scheme], spacing: 8, minTouchSize: 48 };
}

export function resolveScheme(setting: ThemeSetting, system: string | null | undefined): Scheme {
  if (setting !== 'system') return setting;
  return system === 'dark' ? 'dark' : 'light';
}

const ThemeContext = createContext<Theme>(themeFor('light'));

export function ThemeProvider({ setting, children }: { setting: ThemeSetting; children: ReactNode }) {
  const system = useColorScheme();
  return <ThemeContext value={themeFor(resolveScheme(setting, system))}>{children}</ThemeContext>;
}

export function useTheme(): Theme {
  return use(ThemeContext);
}

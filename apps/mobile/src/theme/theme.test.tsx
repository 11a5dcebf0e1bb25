import { screen } from '@testing-library/react-native';
import * as ReactNative from 'react-native';
import { renderInApp } from '../test-utils';
import { Screen } from '../ui';
import { palettes, resolveScheme } from './index';

describe('theme', () => {
  it('follows the system unless the person chose one', () => {
    expect(resolveScheme('system', 'dark')).toBe('dark');
    expect(resolveScheme('system', 'light')).toBe('light');
    expect(resolveScheme('system', null)).toBe('light');
    expect(resolveScheme('light', 'dark')).toBe('light');
    expect(resolveScheme('dark', 'light')).toBe('dark');
  });

  it('renders dark when the system is dark', async () => {
    jest.spyOn(ReactNative, 'useColorScheme').mockReturnValue('dark');
    await renderInApp(<Screen title="Accounts" testID="s" />, { settings: { theme: 'system' } });
    expect(screen.getByTestId('s')).toHaveStyle({ backgroundColor: palettes.dark.background });
    jest.restoreAllMocks();
  });

  it('keeps text readable on its background in both palettes (WCAG AA, 4.5:1)', () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
    };
    for (const p of Object.values(palettes)) {
      for (const [fg, bg] of [
        [p.text, p.background],
        [p.textMuted, p.background],
        [p.text, p.surface],
        [p.primary, p.background],
        [p.onPrimary, p.primary],
        [p.danger, p.surface],
        [p.warningText, p.warningBackground],
        [p.credit, p.surface],
      ] as const) {
        expect([fg, bg, contrast(fg, bg) >= 4.5]).toEqual([fg, bg, true]);
      }
    }
  });
});

export { Amount, type AmountProps } from './amount';
export { Banner, type BannerProps } from './banner';
export { Button, type ButtonProps } from './button';
export { Choice, type ChoiceProps } from './choice';
export { DataAge } from './data-age';
export { OfflineBanner } from './offline-banner';
export { Screen, type ScreenProps, type ScreenState } from './screen';
export { maxFontScale, Text } from './text';
export { TextField, type TextFieldProps } from './text-field';

import type { InsightType } from './constants.ts';

/**
 * The English text of each insight, from its messageKey and params (amounts already formatted).
 * The app translates messageKey itself; this is the text for clients without a translation and for
 * the notifications the worker will send. Params never hold an IBAN or a person's full name.
 */
const templates: Record<string, string> = {
  'insights.budget_warning': 'You have spent {spent} of your {budget} {category} budget this month ({percent} %).',
  'insights.budget_exceeded': 'You have spent {spent} on {category} this month, over your {budget} budget.',
  'insights.unusual_spending': 'Your {category} spending this month, {spent}, is well above your usual {typical}.',
  'insights.subscription_found':
    'We found a {frequency} payment to {name} of {amount}. The next one is due on {nextDate}.',
  'insights.upcoming_bill': '{name} will take {amount} from your account on {date}.',
  'insights.savings_suggestion.over_budget': 'You are {over} over your {category} budget this month.',
  'insights.savings_suggestion.review_subscriptions':
    'You pay {monthly} a month for {count} subscriptions. Check you still use each of them.',
  'insights.savings_suggestion.save_surplus':
    'You have about {surplus} left over each month. Moving {suggested} to savings would still leave a buffer.',
  'insights.low_balance_forecast':
    'Your balance may fall to {balance} on {date}. Consider moving money in before then.',
};

/** The message key of an insight type (savings suggestions have one per kind). */
export const messageKeyOf = (type: InsightType, kind?: string) =>
  kind === undefined ? `insights.${type}` : `insights.${type}.${kind}`;

export function renderMessage(messageKey: string, params: Readonly<Record<string, string>>): string {
  const template = templates[messageKey];
  if (template === undefined) return messageKey;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

/** Category names as the English text shows them. */
export function categoryWords(category: string): string {
  return category.replace(/_/g, ' ');
}

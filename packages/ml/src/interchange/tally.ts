import { type Scenario, scenarios, type Transaction } from './format.ts';

export interface ScenarioCount {
  rows: number;
  cases: number;
}

/** What a file holds, as `generate` and `validate` print it. */
export interface Tally {
  rows: number;
  customers: number;
  firstTime: string | null;
  lastTime: string | null;
  /** Rows without a label field (real data), with label null (legitimate), with a fraud label. */
  unlabelled: number;
  legitimate: number;
  fraud: number;
  byScenario: Record<Scenario, ScenarioCount>;
}

/** Counts rows as they stream past; holds the customer and case ids, nothing else. */
export class TallyCounter {
  #rows = 0;
  #unlabelled = 0;
  #legitimate = 0;
  #firstTime: string | null = null;
  #lastTime: string | null = null;
  readonly #customers = new Set<string>();
  readonly #rowsOf = new Map<Scenario, number>();
  readonly #casesOf = new Map<Scenario, Set<string>>();

  add(row: Transaction): void {
    this.#rows++;
    this.#firstTime ??= row.time;
    this.#lastTime = row.time;
    this.#customers.add(row.customer);
    if (row.label === undefined) this.#unlabelled++;
    else if (row.label === null) this.#legitimate++;
    else {
      const { scenario } = row.label;
      this.#rowsOf.set(scenario, (this.#rowsOf.get(scenario) ?? 0) + 1);
      const cases = this.#casesOf.get(scenario) ?? new Set<string>();
      cases.add(row.label.case);
      this.#casesOf.set(scenario, cases);
    }
  }

  result(): Tally {
    const byScenario = {} as Record<Scenario, ScenarioCount>;
    let fraud = 0;
    for (const scenario of scenarios) {
      const rows = this.#rowsOf.get(scenario) ?? 0;
      fraud += rows;
      byScenario[scenario] = { rows, cases: this.#casesOf.get(scenario)?.size ?? 0 };
    }
    return {
      rows: this.#rows,
      customers: this.#customers.size,
      firstTime: this.#firstTime,
      lastTime: this.#lastTime,
      unlabelled: this.#unlabelled,
      legitimate: this.#legitimate,
      fraud,
      byScenario,
    };
  }
}

/** The summary lines the CLI prints. */
export function describeTally(tally: Tally): string[] {
  const lines = [
    `rows: ${tally.rows}`,
    `customers: ${tally.customers}`,
    `time: ${tally.firstTime ?? '-'} .. ${tally.lastTime ?? '-'}`,
    `labels: ${tally.legitimate} legitimate, ${tally.fraud} fraud, ${tally.unlabelled} unlabelled`,
  ];
  for (const scenario of scenarios) {
    const { rows, cases } = tally.byScenario[scenario];
    lines.push(`fraud ${scenario}: ${rows} rows in ${cases} cases`);
  }
  return lines;
}

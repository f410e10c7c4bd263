/**
 * Collects what the benchmarks measured, prints the summary tables and writes `bench/results.json`:
 * the machine, Node version, date, every figure, and each target with its verdict.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** met / missed: measured against the target; pending: cannot be measured yet; skipped: not run. */
export type Verdict = 'met' | 'missed' | 'pending' | 'skipped';

export interface TargetResult {
  /** Stable id, e.g. `ack.zoom.p99`. */
  readonly id: string;
  readonly benchmark: string;
  /** What is measured, in words. */
  readonly description: string;
  /** The target as written in the issue, e.g. `p99 < 50 ms`. */
  readonly target: string;
  /** The measured value in words, e.g. `12.3 ms`; empty when pending or skipped. */
  readonly actual: string;
  readonly verdict: Verdict;
  /** By how much it is missed, why, and what would close it; or why it is pending/skipped. */
  readonly note?: string;
}

/** One row of a printed section: label and value. */
export type Row = readonly [string, string];

export interface Section {
  readonly title: string;
  readonly rows: Row[];
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGiB: number;
  readonly platform: string;
  readonly release: string;
  readonly node: string;
  readonly loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
  readonly note: string;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    release: os.release(),
    node: process.version,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
    note:
      'A shared 2-core machine: other work (e.g. test suites) may run at the same time, so figures are noisy; ' +
      'compare figures from the same run, and re-run before drawing conclusions from small differences.',
  };
}

/** Everything one `npm run bench` produces. */
export class BenchReport {
  readonly startedAt = new Date();
  readonly machine = describeMachine();
  readonly parameters: Record<string, unknown> = {};
  readonly benchmarks: Record<string, unknown> = {};
  readonly targets: TargetResult[] = [];
  readonly sections: Section[] = [];
  readonly notes: string[] = [];

  /** Records a benchmark's figures (any JSON) under `name`. */
  setFigures(name: string, figures: unknown): void {
    this.benchmarks[name] = figures;
  }

  addTarget(target: TargetResult): void {
    this.targets.push(target);
  }

  addSection(title: string, rows: Row[]): void {
    this.sections.push({ title, rows });
  }

  addNote(note: string): void {
    this.notes.push(note);
  }

  toJSON(): Record<string, unknown> {
    const finishedAt = new Date();
    return {
      schema: 'presence-bridge/bench-results@1',
      date: this.startedAt.toISOString(),
      durationSeconds: Math.round((finishedAt.getTime() - this.startedAt.getTime()) / 100) / 10,
      machine: { ...this.machine, loadAverageAtEnd: os.loadavg().map((value) => Math.round(value * 100) / 100) },
      parameters: this.parameters,
      targets: this.targets,
      benchmarks: this.benchmarks,
      notes: this.notes,
    };
  }

  /** Writes the JSON file (directories created as needed). */
  write(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
  }

  /** The printed summary: each section as a two-column table, then the targets with their verdicts. */
  format(): string {
    const out: string[] = [];
    const m = this.machine;
    out.push('', '='.repeat(100), 'presence-bridge benchmarks — summary', '='.repeat(100));
    out.push(
      `machine: ${m.cores} × ${m.cpuModel}, ${m.totalMemoryGiB} GiB, ${m.platform}, Node ${m.node}; ` +
        `load average at start ${m.loadAverageAtStart.join(' / ')}, now ${os
          .loadavg()
          .map((v) => v.toFixed(2))
          .join(' / ')}`,
    );
    out.push(`date: ${this.startedAt.toISOString()}  (${m.note})`);
    for (const section of this.sections) {
      out.push('', section.title, '-'.repeat(section.title.length));
      const width = Math.max(...section.rows.map(([label]) => label.length), 10);
      for (const [label, value] of section.rows) out.push(`  ${label.padEnd(width)}  ${value}`);
    }
    out.push('', 'Targets', '-------');
    const idWidth = Math.max(...this.targets.map((t) => t.id.length), 6);
    const targetWidth = Math.max(...this.targets.map((t) => t.target.length), 6);
    const actualWidth = Math.max(...this.targets.map((t) => t.actual.length), 6);
    for (const t of this.targets) {
      const verdict = t.verdict.toUpperCase().padEnd(7);
      out.push(`  ${verdict}  ${t.id.padEnd(idWidth)}  ${t.target.padEnd(targetWidth)}  ${t.actual.padEnd(actualWidth)}`);
      if (t.note && t.verdict !== 'met') out.push(`           ↳ ${t.note}`);
    }
    if (this.notes.length > 0) {
      out.push('', 'Notes', '-----');
      for (const note of this.notes) out.push(`  - ${note}`);
    }
    return out.join('\n');
  }
}

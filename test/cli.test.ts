/** The CLI's collect and check commands on the real example runs (examples/history). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../server/src/cli/main';

const ROOT = path.join(__dirname, '..', '..');

describe('spark-optimizer CLI', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spark-optimizer-cli-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const code = await main(args, (s) => out.push(s), (s) => out.push(s));
    return { code, out };
  }

  it('collects a folder, reading sub-folders only with --recursive', async () => {
    const nested = path.join(tmp, 'logs', 'team-a');
    fs.mkdirSync(nested, { recursive: true });
    for (const d of fs.readdirSync(path.join(ROOT, 'examples', 'history')).filter((d) => d.startsWith('eventlog_v2_')).slice(0, 2)) {
      fs.cpSync(path.join(ROOT, 'examples', 'history', d), path.join(nested, d), { recursive: true });
    }
    const db = path.join(tmp, 'h.db');
    const flat = await run('collect', '--source', 'event-logs', '--path', path.join(tmp, 'logs'), '--db', db);
    assert.strictEqual(flat.code, 0);
    assert.match(flat.out[flat.out.length - 1], /^0 event log\(s\) in /);
    const deep = await run('collect', '--source', 'event-logs', '--path', path.join(tmp, 'logs'), '--recursive', '--db', db);
    assert.strictEqual(deep.code, 0);
    assert.match(deep.out[deep.out.length - 1], /^2 event log\(s\) in .*: 2 new, 0 updated, 0 unchanged, 0 failed\./);
  });

  it('check prints one line per finding, exits 1, and --format json gives the recommendation', async () => {
    const db = path.join(tmp, 'h.db');
    assert.strictEqual((await run('collect', '--path', path.join(ROOT, 'examples', 'history'), '--db', db)).code, 0);
    const bad = path.join(tmp, 'job.py');
    fs.writeFileSync(bad, 'spark = SparkSession.builder.appName("nightly_etl").config("spark.executor.memory", "4.5g").getOrCreate()\n');
    const text = await run('check', bad, '--db', db);
    assert.strictEqual(text.code, 1);
    // Spark's message for a fractional size has a newline; the linter line has none.
    const lines = text.out.filter((l) => l.startsWith(bad));
    assert.strictEqual(
      lines[0],
      `${bad}:1:86 error spark.executor.memory=4.5g: Size must be specified as bytes (b), kibibytes (k), mebibytes (m), gibibytes (g), tebibytes (t), or pebibytes(p). E.g. 50b, 100k, or 250m. Fractional values are not supported. Input was: 4.5`,
    );
    // No recommendation rests on a value Spark would reject: the plan takes the runs' memory and says why nothing changes.
    assert.strictEqual(lines.length, 2);
    assert.match(lines[1], new RegExp(`^${bad.replace(/[.*+?^\${}()|[\]\\/]/g, '\\$&')}:1:9 info nightly_etl: 5 run\\(s\\), median 55 s; nothing to change \\(objective balanced\\)`));
    const file = path.join(ROOT, 'examples', 'nightly_etl.py');
    const json = await run('check', file, '--db', db, '--format', 'json');
    assert.strictEqual(json.code, 1);
    const findings = JSON.parse(json.out.join('\n')) as { code: string; line: number; recommendation: { recommendedValue: string } | null }[];
    assert.deepStrictEqual(findings.map((f) => [f.code, f.line, f.recommendation?.recommendedValue]), [['recommend:spark.executor.memory', 24, '2g']]);
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const r = await run('collect', '--source', 'event-logs');
    assert.strictEqual(r.code, 2);
    assert.match(r.out[0], /collect needs --path DIR/);
  });
});

/**
 * Discovery of event logs on disk: single files, rolling `eventlog_v2_*` dirs, legacy dirs, codecs.
 * Real logs come from test/fixtures/spark (see its README for provenance); layouts that no fixture
 * has (compaction, gaps, `.inprogress`, hidden files, lz4) are built in a temp dir at run time.
 */

import * as assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  codecFromFileName,
  codecFromMagic,
  discoverEventLogs,
  orderRollingFiles,
  type EventLogSource,
} from '../server/src/history/event-log';
import { EVENT_LOG_FIXTURES } from './helpers/fixtures';

const FIXTURES = EVENT_LOG_FIXTURES;

function rel(p: string): string {
  return path.relative(FIXTURES, p);
}

describe('event-log discovery', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'event-log-discover-'));
  });
  afterEach(async () => {
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it('finds every log in the fixture tree with the right kind, codec and state', async () => {
    const warnings: string[] = [];
    const sources = await discoverEventLogs(FIXTURES, { onWarning: (m) => warnings.push(m) });
    const byPath = new Map(sources.map((s) => [rel(s.path), s]));
    // 15 single files + 3 rolling dirs + 1 legacy dir, plus the Spark 4.3.0 codec samples in spark-codecs/: 4 single,
    // 2 rolling, 4 killed in progress, 1 Databricks folder (`find test/fixtures/spark/event-logs`, counted by hand).
    assert.equal(sources.length, 30);
    // The samples' expected.json (the generator's oracle) is not an event-log name: skipped with a warning.
    assert.deepEqual(warnings, [
      `${path.join(FIXTURES, 'spark-codecs', 'expected.json')}: not a Spark event-log file name (Spark names them <appId>[_<attempt>][.<codec>][.inprogress]); skipped`,
    ]);

    const plain = byPath.get('qubole-sparklens/local-1532512550423') as EventLogSource;
    assert.equal(plain.kind, 'single');
    assert.deepEqual(plain.codecs, ['none']);
    assert.equal(plain.inProgress, false);
    assert.equal(plain.sizeBytes, 56749); // `stat -c %s`
    assert.equal(plain.nameHint, 'local-1532512550423');

    const zstd = byPath.get('nvidia-spark-rapids-tools/xgboost_eventlog.zstd') as EventLogSource;
    assert.deepEqual(zstd.codecs, ['zstd']);
    assert.equal(zstd.nameHint, 'xgboost_eventlog');

    const gz = byPath.get('nvidia-spark-rapids-tools/db_sim_eventlog/eventlog-2021-06-15--15-00.gz') as EventLogSource;
    assert.deepEqual(gz.codecs, ['gzip']);

    const rolling = byPath.get('nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964') as EventLogSource;
    assert.equal(rolling.kind, 'rolling');
    assert.deepEqual(rolling.files.map(rel), [
      'nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964/events_1_local-1623876083964.zstd',
      'nvidia-spark-rapids-tools/eventlog_v2_local-1623876083964/events_2_local-1623876083964.zstd',
    ]);
    assert.deepEqual(rolling.codecs, ['zstd', 'zstd']);
    assert.equal(rolling.inProgress, false); // appstatus_local-1623876083964 has no .inprogress
    assert.equal(rolling.sizeBytes, 496917 + 48700);
    assert.equal(rolling.nameHint, 'local-1623876083964');
    assert.deepEqual(rolling.warnings, []);

    const spark4 = byPath.get('examples-history/eventlog_v2_app-20261121120341-0000') as EventLogSource;
    assert.deepEqual(
      spark4.files.map((f) => path.basename(f)),
      ['events_1_app-20261121120341-0000.zstd'],
    ); // hidden .crc skipped
    assert.equal(spark4.inProgress, false);

    const legacy = byPath.get('apache-spark-v1.6.3/local-1422981780767') as EventLogSource;
    assert.equal(legacy.kind, 'legacy');
    assert.deepEqual(
      legacy.files.map((f) => path.basename(f)),
      ['EVENT_LOG_1'],
    );
    assert.equal(legacy.inProgress, false); // APPLICATION_COMPLETE present
    assert.equal(legacy.sparkVersionHint, '1.2.0'); // SPARK_VERSION_1.2.0 marker

    // Nothing inside rolling or legacy dirs is listed as a log of its own.
    assert.ok(![...byPath.keys()].some((k) => k.includes('eventlog_v2_') && k.includes('/events_')));
    assert.ok(![...byPath.keys()].some((k) => k.endsWith('EVENT_LOG_1')));
  });

  it('orders rolling files by index numerically and keeps from the last .compact on', () => {
    const names = [
      'events_10_app.zstd',
      'events_2_app.zstd',
      'events_1_app.zstd',
      'events_9_app.zstd',
      'events_3_app.zstd.compact',
      'events_3_app.zstd', // plain file of the same index sorts before the compact one
      'appstatus_app',
    ];
    assert.deepEqual(orderRollingFiles(names), {
      files: ['events_3_app.zstd.compact', 'events_9_app.zstd', 'events_10_app.zstd'],
      missingIndices: [4, 5, 6, 7, 8],
    });
    assert.deepEqual(orderRollingFiles(['events_2_a', 'events_1_a', 'events_11_a']).files, [
      'events_1_a',
      'events_2_a',
      'events_11_a',
    ]);
  });

  it('handles in-progress, compacted, gapped and hidden entries in built directories', async () => {
    const mk = async (rel: string, content: string | Buffer = ''): Promise<void> => {
      await fsp.mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
      await fsp.writeFile(path.join(tmp, rel), content);
    };
    const line = '{"Event":"SparkListenerLogStart","Spark Version":"4.0.0"}\n';
    await mk('eventlog_v2_app-1/events_1_app-1', line);
    await mk('eventlog_v2_app-1/events_2_app-1', line);
    await mk('eventlog_v2_app-1/appstatus_app-1.inprogress');
    await mk('eventlog_v2_app-2/events_1_app-2', line);
    await mk('eventlog_v2_app-2/events_2_app-2.compact', line);
    await mk('eventlog_v2_app-2/events_3_app-2', line);
    await mk('eventlog_v2_app-2/events_5_app-2', line);
    await mk('eventlog_v2_app-2/appstatus_app-2');
    await mk('eventlog_v2_app-3/appstatus_app-3.inprogress'); // no events_ file: skipped with a warning
    await mk('nested/deeper/local-1.inprogress', line);
    await mk('nested/app-4_1.zstd.inprogress', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    await mk('.hidden-log', line);
    await mk('nested/.app-5.crc', 'x');
    await mk('app-6.lz4', 'LZ4Block\x25');
    await mk('app-7.zstd', line); // named zstd, is plain text

    const warnings: string[] = [];
    const sources = await discoverEventLogs(tmp, { onWarning: (m) => warnings.push(m) });
    const byName = new Map(sources.map((s) => [path.relative(tmp, s.path), s]));
    assert.deepEqual([...byName.keys()].sort(), [
      'app-6.lz4',
      'app-7.zstd',
      'eventlog_v2_app-1',
      'eventlog_v2_app-2',
      'nested/app-4_1.zstd.inprogress',
      'nested/deeper/local-1.inprogress',
    ]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /eventlog_v2_app-3: rolling event-log directory has no events_ file/);

    const app1 = byName.get('eventlog_v2_app-1') as EventLogSource;
    assert.equal(app1.inProgress, true);
    assert.deepEqual(
      app1.files.map((f) => path.basename(f)),
      ['events_1_app-1', 'events_2_app-1'],
    );

    const app2 = byName.get('eventlog_v2_app-2') as EventLogSource;
    assert.equal(app2.inProgress, false);
    assert.deepEqual(
      app2.files.map((f) => path.basename(f)),
      ['events_2_app-2.compact', 'events_3_app-2', 'events_5_app-2'],
    );
    assert.equal(app2.warnings.length, 1);
    assert.match(app2.warnings[0], /missing event log file\(s\) with index 4/);

    const inprog = byName.get('nested/deeper/local-1.inprogress') as EventLogSource;
    assert.equal(inprog.inProgress, true);
    assert.equal(inprog.nameHint, 'local-1');

    const zstdInprog = byName.get('nested/app-4_1.zstd.inprogress') as EventLogSource;
    assert.deepEqual(zstdInprog.codecs, ['zstd']);
    assert.equal(zstdInprog.inProgress, true);
    assert.equal(zstdInprog.nameHint, 'app-4_1');

    assert.deepEqual((byName.get('app-6.lz4') as EventLogSource).codecs, ['lz4']);
    const mislabelled = byName.get('app-7.zstd') as EventLogSource;
    assert.deepEqual(mislabelled.codecs, ['none']);
    assert.match(mislabelled.warnings[0], /name says zstd but the content is plain JSON text/);
  });

  it('accepts a single log file or a rolling dir as the starting path', async () => {
    const file = path.join(FIXTURES, 'qubole-sparklens/local-1532512550423');
    assert.deepEqual(
      (await discoverEventLogs(file)).map((s) => s.path),
      [file],
    );
    const dir = path.join(
      FIXTURES,
      'kubeflow-mcp-apache-spark-history-server/eventlog_v2_spark-bcec39f6201b42b9925124595baad260',
    );
    const [src] = await discoverEventLogs(dir);
    assert.equal(src.kind, 'rolling');
    assert.equal(src.files.length, 1);
  });

  it('reads codecs from names as Spark does and from magic bytes', () => {
    assert.equal(codecFromFileName('events_5_app.zstd.compact'), 'zstd');
    assert.equal(codecFromFileName('app-1.lz4.inprogress'), 'lz4');
    assert.equal(codecFromFileName('application_1_0001_1.snappy'), 'snappy');
    assert.equal(codecFromFileName('local-1.lzf'), 'lzf');
    assert.equal(codecFromFileName('local-1532512550423'), 'none');
    assert.equal(codecFromFileName('query-event-logs-version-2.0.0.txt'), 'none');
    assert.equal(codecFromMagic(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x48])), 'zstd');
    assert.equal(codecFromMagic(Buffer.from('LZ4Block', 'latin1')), 'lz4');
    assert.equal(codecFromMagic(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])), 'snappy');
    assert.equal(codecFromMagic(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
    assert.equal(codecFromMagic(Buffer.from('{"Event"')), null);
  });

  it('follows links to each file and folder once: links to `.` and to a parent make no cycle, a second name no duplicate', async () => {
    const log = path.join(FIXTURES, 'qubole-sparklens/local-1532512550423');
    await fsp.copyFile(log, path.join(tmp, 'local-1532512550423'));
    await fsp.mkdir(path.join(tmp, 'team'));
    // Three links to `.` (the case: one log read 9,841 times), a link to the parent, a hard link and a
    // symbolic link to the log under other names.
    for (const name of ['a', 'b', 'c']) await fsp.symlink('.', path.join(tmp, name));
    await fsp.symlink('..', path.join(tmp, 'team', 'up'));
    await fsp.link(path.join(tmp, 'local-1532512550423'), path.join(tmp, 'team', 'local-1532512550423_hardlink'));
    await fsp.symlink(path.join(tmp, 'local-1532512550423'), path.join(tmp, 'team', 'local-1532512550423_symlink'));
    const warnings: string[] = [];
    const sources = await discoverEventLogs(tmp, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(
      sources.map((s) => path.relative(tmp, s.path)),
      ['local-1532512550423'],
    );
    // Entries are visited in name order, so the same paths are reported on every run.
    assert.deepEqual(warnings, [
      `${path.join(tmp, 'a')}: the same folder as ${tmp} (reached again through a link); not read twice`,
      `${path.join(tmp, 'b')}: the same folder as ${tmp} (reached again through a link); not read twice`,
      `${path.join(tmp, 'c')}: the same folder as ${tmp} (reached again through a link); not read twice`,
      `${path.join(tmp, 'team', 'local-1532512550423_hardlink')}: the same file as ${path.join(tmp, 'local-1532512550423')} (reached again through a link); not read twice`,
      `${path.join(tmp, 'team', 'local-1532512550423_symlink')}: the same file as ${path.join(tmp, 'local-1532512550423')} (reached again through a link); not read twice`,
      `${path.join(tmp, 'team', 'up')}: the same folder as ${tmp} (reached again through a link); not read twice`,
    ]);
  });

  it('reports a broken link to onUnreadable with its reason, and goes on', async () => {
    await fsp.copyFile(
      path.join(FIXTURES, 'qubole-sparklens/local-1532512550423'),
      path.join(tmp, 'local-1532512550423'),
    );
    await fsp.symlink(path.join(tmp, 'nowhere'), path.join(tmp, 'app-broken'));
    const unreadable: [string, string][] = [];
    const sources = await discoverEventLogs(tmp, { onUnreadable: (p, reason) => unreadable.push([p, reason]) });
    assert.deepEqual(
      sources.map((s) => path.basename(s.path)),
      ['local-1532512550423'],
    );
    assert.deepEqual(unreadable, [
      [path.join(tmp, 'app-broken'), 'a broken symbolic link, or it vanished while the folder was listed (ENOENT)'],
    ]);
  });

  it('throws when the starting directory does not exist', async () => {
    await assert.rejects(discoverEventLogs(path.join(tmp, 'missing')), /ENOENT/);
  });
});

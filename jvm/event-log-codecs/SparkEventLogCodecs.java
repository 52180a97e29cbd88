/*
 * Hadoop compression codecs that read Spark's compressed event logs with Spark's own decoders, so that Spark SQL's
 * text source (`spark.read.text`, `CREATE TEMPORARY VIEW … USING text`) can read them where they lie.
 *
 * Why: Spark writes event logs through its own codecs (`org.apache.spark.io.CompressionCodec`: zstd frames, lz4-java
 * `LZ4BlockOutputStream`, snappy-java `SnappyOutputStream`, ning LZF) and names the files `.zstd`, `.lz4`, `.snappy`,
 * `.lzf` (EventLogFileWriters.scala). Hadoop picks a codec for a text file from the end of its name
 * (`CompressionCodecFactory.getCodec`), and its own `.lz4`/`.snappy` codecs are other formats (Hadoop block streams)
 * while it has no `.zstd` or `.lzf` at all. Each class here claims one name ending (`getDefaultExtension`): the
 * codec's, and the same followed by `.inprogress` (a single-file log still written) or `.compact` (a rolling log's
 * compacted file), and decodes with `CompressionCodec.createCodec(conf, name).compressedContinuousInputStream`, exactly
 * what Spark's History Server uses to replay a log (EventLogFileReader.openEventLog).
 *
 * Use: put the jar on the Spark Connect server's class path (`--jars`) and give the class names in the Hadoop option
 * `io.compression.codecs` of the read (the data-source options are merged into the Hadoop configuration of the scan).
 * Reading only: the output methods throw.
 *
 * Built by scripts/build-event-log-codecs.sh against the Spark the project installs (pyspark's jars); source of the
 * APIs: apache/spark core/src/main/scala/org/apache/spark/io/CompressionCodec.scala, Hadoop
 * hadoop-common-project/hadoop-common/src/main/java/org/apache/hadoop/io/compress/CompressionCodec.java.
 */
package sparkoptimizer.eventlog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionInputStream;
import org.apache.hadoop.io.compress.CompressionOutputStream;
import org.apache.hadoop.io.compress.Compressor;
import org.apache.hadoop.io.compress.Decompressor;
import org.apache.spark.SparkConf;

/** One Hadoop codec per Spark codec and name ending; see the file comment. */
public abstract class SparkEventLogCodecs implements CompressionCodec {
  private final String sparkCodec;
  private final String extension;
  private volatile org.apache.spark.io.CompressionCodec codec;

  protected SparkEventLogCodecs(String sparkCodec, String extension) {
    this.sparkCodec = sparkCodec;
    this.extension = extension;
  }

  private org.apache.spark.io.CompressionCodec codec() {
    org.apache.spark.io.CompressionCodec c = codec;
    if (c == null) {
      // Reading needs none of the codec settings (they size the writer's blocks and buffers): Spark's defaults.
      c = org.apache.spark.io.CompressionCodec.createCodec(new SparkConf(false), sparkCodec);
      codec = c;
    }
    return c;
  }

  @Override
  public String getDefaultExtension() {
    return extension;
  }

  @Override
  public CompressionInputStream createInputStream(InputStream in) throws IOException {
    return new Decoded(in, codec().compressedContinuousInputStream(in));
  }

  @Override
  public CompressionInputStream createInputStream(InputStream in, Decompressor decompressor) throws IOException {
    return createInputStream(in);
  }

  /** No pooled decompressor: the stream decodes by itself (CodecPool accepts null). */
  @Override
  public Class<? extends Decompressor> getDecompressorType() {
    return null;
  }

  @Override
  public Decompressor createDecompressor() {
    return null;
  }

  @Override
  public CompressionOutputStream createOutputStream(OutputStream out) {
    throw new UnsupportedOperationException("reads Spark event logs only");
  }

  @Override
  public CompressionOutputStream createOutputStream(OutputStream out, Compressor compressor) {
    throw new UnsupportedOperationException("reads Spark event logs only");
  }

  @Override
  public Class<? extends Compressor> getCompressorType() {
    return null;
  }

  @Override
  public Compressor createCompressor() {
    return null;
  }

  /** Spark's decoded stream behind Hadoop's stream type; `in` is the file, whose position is the progress. */
  private static final class Decoded extends CompressionInputStream {
    private final InputStream decoded;

    Decoded(InputStream in, InputStream decoded) throws IOException {
      super(in);
      this.decoded = decoded;
    }

    @Override
    public int read() throws IOException {
      return decoded.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return decoded.read(b, off, len);
    }

    @Override
    public void resetState() {
      throw new UnsupportedOperationException("Spark's event-log streams cannot be reset");
    }

    @Override
    public void close() throws IOException {
      try {
        decoded.close();
      } finally {
        super.close();
      }
    }
  }

  /** `.zstd` */
  public static final class Zstd extends SparkEventLogCodecs {
    public Zstd() { super("zstd", ".zstd"); }
  }
  /** `.zstd.inprogress` */
  public static final class ZstdInProgress extends SparkEventLogCodecs {
    public ZstdInProgress() { super("zstd", ".zstd.inprogress"); }
  }
  /** `.zstd.compact` */
  public static final class ZstdCompact extends SparkEventLogCodecs {
    public ZstdCompact() { super("zstd", ".zstd.compact"); }
  }
  /** `.lz4` */
  public static final class Lz4 extends SparkEventLogCodecs {
    public Lz4() { super("lz4", ".lz4"); }
  }
  /** `.lz4.inprogress` */
  public static final class Lz4InProgress extends SparkEventLogCodecs {
    public Lz4InProgress() { super("lz4", ".lz4.inprogress"); }
  }
  /** `.lz4.compact` */
  public static final class Lz4Compact extends SparkEventLogCodecs {
    public Lz4Compact() { super("lz4", ".lz4.compact"); }
  }
  /** `.snappy` */
  public static final class Snappy extends SparkEventLogCodecs {
    public Snappy() { super("snappy", ".snappy"); }
  }
  /** `.snappy.inprogress` */
  public static final class SnappyInProgress extends SparkEventLogCodecs {
    public SnappyInProgress() { super("snappy", ".snappy.inprogress"); }
  }
  /** `.snappy.compact` */
  public static final class SnappyCompact extends SparkEventLogCodecs {
    public SnappyCompact() { super("snappy", ".snappy.compact"); }
  }
  /** `.lzf` */
  public static final class Lzf extends SparkEventLogCodecs {
    public Lzf() { super("lzf", ".lzf"); }
  }
  /** `.lzf.inprogress` */
  public static final class LzfInProgress extends SparkEventLogCodecs {
    public LzfInProgress() { super("lzf", ".lzf.inprogress"); }
  }
  /** `.lzf.compact` */
  public static final class LzfCompact extends SparkEventLogCodecs {
    public LzfCompact() { super("lzf", ".lzf.compact"); }
  }
}

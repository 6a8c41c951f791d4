package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import lanes.engine.Model;
import lanes.engine.TestWeights;
import lanes.engine.WeightFile;
import lanes.engine.WeightFileException;
import lanes.engine.Weights;

/**
 * {@link WeightFile#read} from a stream and from a file, and {@link Model#load} on top of it, the way an
 * application loads a model it was handed.
 *
 * <p>Every input is read twice: as it is, and with its trailing CRC32C recomputed. A random mutation almost
 * never keeps the checksum right, so without the second reading the fuzzer would only ever meet the
 * checksum error and never the checks behind it (layer sizes, activations, metadata, non-finite weights;
 * in version 2 the layer types, attributes, shapes, input range, labels and provenance).
 *
 * <p>Allowed outcome: {@link WeightFileException}, or weights that the writer turns back into exactly the
 * same bytes, that load as a {@link Model} and that predict a label in range with probabilities that sum
 * to 1 whenever they are finite.
 */
class WeightFileFuzzTest {

    /**
     * Per input. The stream reader grows its arrays with the bytes that arrive and the file reader checks
     * the length before it allocates, so a few-KiB input can only cost a few KiB; the limit leaves room
     * for the fixed 64 KiB buffers of reading, writing back and predicting.
     */
    static final long MAX_ALLOCATED = 64 * Budget.MIB;

    static {
        // Load (and, while fuzzing, have Jazzer instrument) every class a valid file reaches, the conv and
        // pool kernels included, before any input is measured: the first input to reach a class paid for
        // its loading, tens of MiB on the fuzzing thread, and went over the budget for it.
        // The budget is for reading and validating a file: the warm-up load runs on a valid one (up to a
        // second and, while the Vector API is interpreted, ~120 MiB of garbage) is left out, as a
        // service opting out of it would.
        System.setProperty("lanes.warmUp", "false");
        try {
            Weights w = TestWeights.everyLayer(5);
            Model m = Model.load(new ByteArrayInputStream(TestWeights.bytes(w)), "warm-up.lnw");
            m.predict(new float[m.inputSize()], new float[m.outputs()]);
            Model.of(w, lanes.kernels.KernelsProvider.scalar()).predict(new float[m.inputSize()]);
        } catch (WeightFileException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void stream(byte[] data) throws Exception {
        readStream(data);
        readStream(withValidCrc(data));
    }

    @FuzzTest(maxDuration = "10m")
    void file(byte[] data) throws Exception {
        readFile(data);
        readFile(withValidCrc(data));
    }

    private static void readStream(byte[] data) throws Exception {
        Budget.within("read(InputStream)", MAX_ALLOCATED, () -> {
            Weights w;
            try {
                w = WeightFile.read(new ByteArrayInputStream(data), "fuzz.lnw");
            } catch (WeightFileException expected) {
                assertEquals("fuzz.lnw", expected.source());
                return;
            }
            checkValid(w, data);
            check(() -> Model.load(new ByteArrayInputStream(data), "fuzz.lnw"), w);
        });
    }

    private static void readFile(byte[] data) throws Exception {
        Path path = TempFiles.write("input.lnw", data);
        Budget.within("read(Path)", MAX_ALLOCATED, () -> {
            Weights w;
            try {
                w = WeightFile.read(path);
            } catch (WeightFileException expected) {
                assertEquals(path.toString(), expected.source());
                return;
            }
            checkValid(w, data);
            check(() -> Model.load(path), w);
        });
    }

    /** {@code data} with its last four bytes replaced by the CRC32C of the rest, as the format computes it. */
    static byte[] withValidCrc(byte[] data) {
        if (data.length < 4) return data;
        byte[] fixed = data.clone();
        CRC32C crc = new CRC32C();
        crc.update(fixed, 0, fixed.length - 4);
        ByteBuffer.wrap(fixed).order(ByteOrder.LITTLE_ENDIAN).putInt(fixed.length - 4, (int) crc.getValue());
        return fixed;
    }

    /**
     * Accepted weights are exactly what the file holds: the writer reproduces it byte for byte (encoded in
     * memory, since a forced save to disk per input would only measure the disk).
     */
    private static void checkValid(Weights w, byte[] data) {
        assertArrayEquals(data, data[8] == 2 ? TestWeights.bytesVersion2(w) : TestWeights.bytes(w), "written back differently");
    }

    /** The most values of any layer, and multiply-adds of any layer, for which a valid file is also predicted. */
    static final int SMALL = 4096, SMALL_WORK = 1 << 16;

    static boolean small(Weights w) {
        lanes.engine.Shape s = w.inputShape();
        if (s.size() > SMALL) return false;
        for (lanes.engine.Layer layer : w.layers()) {
            lanes.engine.Shape out = layer.outputShape(s);
            long work = switch (layer) {
                case lanes.engine.Conv2D c -> {
                    var p = c.padding(); // the kernels may copy the image with its padding
                    long padded = (long) (s.height() + p.top() + p.bottom()) * (s.width() + p.left() + p.right()) * s.channels();
                    yield Math.max(padded, (long) out.size() * c.kernelH() * c.kernelW() * c.inChannels());
                }
                case lanes.engine.MaxPool2D p -> (long) out.size() * p.poolH() * p.poolW();
                case lanes.engine.DenseWeights d -> (long) d.inputs() * d.units();
                default -> out.size();
            };
            if (out.size() > SMALL || work > SMALL_WORK) return false;
            s = out;
        }
        return true;
    }

    interface Loader {
        Model load() throws WeightFileException;
    }

    /** A valid file loads, unless it holds a network the engine cannot run; then it says so, as a WeightFileException. */
    private static void check(Loader loader, Weights w) {
        Model model;
        try {
            model = loader.load();
        } catch (WeightFileException e) {
            assertTrue(e.problem().startsWith("a network this engine cannot run"), e.getMessage());
            return;
        }
        assertEquals(w, model.weights());
        // A version 2 header can describe large activations, padding or windows with no tensors to pay for
        // them: predict only small networks, so one input costs milliseconds and, before C2 has compiled the
        // Vector API kernels (whose vectors are objects until then), a few MiB.
        if (!small(w)) return;
        float[] input = new float[model.inputSize()];
        Arrays.fill(input, 0.5f);
        float[] probabilities = new float[model.outputs()];
        int label;
        try {
            label = model.predict(input, probabilities);
        } catch (IllegalArgumentException e) { // finite weights and a wide input range can overflow float
            assertTrue(e.getMessage().startsWith("the network's outputs overflow"), e.getMessage());
            return;
        }
        assertTrue(label >= 0 && label < model.outputs(), "label " + label);
        assertEquals(label, model.predict(input), "label without probabilities");
        boolean finite = true;
        double sum = 0, max = Double.NEGATIVE_INFINITY;
        for (float p : probabilities) {
            finite &= Float.isFinite(p);
            sum += p;
            max = Math.max(max, p);
        }
        if (finite && w.outputActivation() == lanes.engine.Activation.SOFTMAX) {
            assertEquals(1.0, sum, 1e-3, "probabilities " + Arrays.toString(probabilities));
            assertEquals(max, probabilities[label], "the label has the highest probability");
        }
    }
}

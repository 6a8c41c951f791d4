package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import lanes.preprocess.ImageException;
import lanes.preprocess.ImagePreprocessor;
import lanes.preprocess.PreprocessMode;

/**
 * Image preprocessing from arbitrary bytes, {@link ImagePreprocessor#preprocess(byte[], String, PreprocessMode)}:
 * the decoding path tools/predict takes for a file, in every mode.
 *
 * <p>Allowed outcome: {@link ImageException} naming the source, or exactly {@value ImagePreprocessor#INPUT_SIZE}
 * inputs, each in [0, 1].
 */
class ImageFuzzTest {

    /**
     * The pixel limit the fuzzed preprocessor enforces. Lower than the default (50 million), so that an input
     * declaring a huge image costs the fuzzer milliseconds rather than a 200 MB raster; the code path is the
     * same, and the allocation budget scales with the limit.
     */
    static final long MAX_PIXELS = 1_000_000;

    /**
     * Per input, all three modes together: 16 bytes per allowed pixel (a decoded raster of up to 8 bytes per
     * pixel, 16-bit RGBA, and its conversion to luminance) plus 64 MiB for the decoders' tables and the
     * working copies of the MNIST steps (which work on at most 4 megapixels). A decoder that allocates beyond
     * what the pixel limit allows is a finding: the limit is the only thing between a user's file and the heap.
     */
    static final long MAX_ALLOCATED = 16 * MAX_PIXELS + 64 * Budget.MIB;

    private static final ImagePreprocessor PRE = new ImagePreprocessor(MAX_PIXELS);

    @FuzzTest(maxDuration = "10m")
    void preprocess(byte[] data) throws Exception {
        Budget.within("preprocess", MAX_ALLOCATED, () -> {
            for (PreprocessMode mode : PreprocessMode.values()) {
                try {
                    float[] input = PRE.preprocess(data, "fuzz.img", mode);
                    assertEquals(ImagePreprocessor.INPUT_SIZE, input.length, mode.cliName());
                    for (int i = 0; i < input.length; i++) {
                        float v = input[i];
                        assertTrue(v >= 0f && v <= 1f, mode.cliName() + ": input " + i + " is " + v);
                    }
                } catch (ImageException expected) {
                    assertEquals("fuzz.img", expected.source());
                    assertTrue(expected.getMessage().startsWith("fuzz.img: "), expected.getMessage());
                }
            }
        });
    }
}

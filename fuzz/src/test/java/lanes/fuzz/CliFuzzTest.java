package lanes.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import lanes.tools.CliHarness;

/**
 * Argument handling of the command-line tools: parsing, {@code --help} and the checks made before a
 * command runs (see {@link CliHarness}; nothing is trained, downloaded or written).
 *
 * <p>Input format (also of the seed files): the command name and its arguments separated by NUL bytes,
 * like {@code /proc/PID/cmdline}, e.g. {@code train\0--data\0d\0--epochs\03}; the commands are
 * {@link CliHarness#COMMANDS}. A real argv cannot contain NUL, so every argv is reachable. An unknown
 * command name picks one of the commands by its hash.
 *
 * <p>Allowed outcome: exit code 0 (the body would run, or {@code --help}) or 2 (a usage error with the
 * usage text). Any exception, or exit code 1 from argument handling alone, is a finding.
 */
class CliFuzzTest {

    /**
     * Per input. Parsing a few KiB of arguments takes well under 1 MiB; the rest is headroom for classes
     * loaded on a first call, which while fuzzing are instrumented on the calling thread (30 MiB for the
     * first fetch-data call was seen). An argument list that makes parsing grow without bound still fails.
     */
    static final long MAX_ALLOCATED = 64 * Budget.MIB;

    static {
        // Load each tool's parsing classes before any input is measured (see MAX_ALLOCATED).
        for (String command : CliHarness.COMMANDS) {
            CliHarness.parse(command, new String[] {"--help"});
            CliHarness.parse(command, new String[] {"--no-such-option"});
        }
    }

    @FuzzTest(maxDuration = "10m")
    @DictionaryEntries({"train", "predict", "latency", "fetch-data", "--data", "--epochs", "--batch", "--lr",
            "--hidden", "--seed", "--threads", "--out", "--history", "--help", "-h", "--model", "--top-k", "--json",
            "--arch", "dense(10,softmax)", "conv2d(", "maxpool(", "--lr-schedule", "cosine", "step:0.5@", "plateau:",
            "--patience", "--augment", "affine,",
            "--preprocess", "--dump-input", "--calls", "--dataset", "--dir", "mnist", "fashion-mnist", "seed", "none",
            "NaN", "Infinity", "-1", "0", "2147483648", "1e40", "0x10", "@", "--", "="})
    void args(byte[] data) throws Exception {
        String[] tokens = new String(data, StandardCharsets.UTF_8).split("\0", -1);
        String command = CliHarness.COMMANDS.contains(tokens[0]) ? tokens[0]
                : CliHarness.COMMANDS.get(Math.floorMod(tokens[0].hashCode(), CliHarness.COMMANDS.size()));
        String[] argv = Arrays.copyOfRange(tokens, 1, tokens.length);
        Budget.within(command + " arguments", MAX_ALLOCATED, () -> {
            int code = CliHarness.parse(command, argv);
            assertTrue(code == CliHarness.OK || code == CliHarness.USAGE,
                    "exit code " + code + " for tools/" + command + " " + Arrays.toString(argv));
        });
    }
}

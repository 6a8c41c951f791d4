package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./mvnw from a fresh clone where the first java on PATH is too old to build Lanes: run in a scratch copy
 * of the repository beside stand-in JDKs (a release file and two scripts each) and a stand-in Maven
 * already unpacked where the wrapper looks for it, which logs the JAVA_HOME it was given.
 */
@DisabledOnOs(OS.WINDOWS)
class MavenWrapperTest {

    private static final Path REPO = Path.of("..");

    @TempDir
    Path root;

    private record Run(int code, String err, List<String> calls) {}

    /** Copies the wrapper and what it reads into {@link #root}; makes JDKs 17, 21 and 25 and Maven. */
    private void sandbox() throws IOException {
        for (String f : List.of("mvnw", ".mvn/wrapper/maven-wrapper.properties", "tools/lib/jdk.sh")) {
            Path to = root.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(REPO.resolve(f), to);
        }
        root.resolve("mvnw").toFile().setExecutable(true);
        for (String version : List.of("17.0.2", "21.0.5", "25")) {
            Path jdk = root.resolve("jdk-" + version);
            script(jdk.resolve("bin/java"), "#!/bin/sh\necho \"java $*\" >> \"$FAKE_LOG\"\n");
            script(jdk.resolve("bin/javac"), "#!/bin/sh\n");
            Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        }
        // Where the wrapper finds an unpacked Maven: dists/<name>/<hex of the URL's String.hashCode>.
        String url = Files.readAllLines(root.resolve(".mvn/wrapper/maven-wrapper.properties")).stream()
                .filter(l -> l.startsWith("distributionUrl=")).findFirst().orElseThrow().substring("distributionUrl=".length()).strip();
        String name = url.substring(url.lastIndexOf('/') + 1).replaceFirst("-bin\\.zip$", "");
        Path mavenHome = root.resolve("m2/wrapper/dists").resolve(name).resolve(Integer.toHexString(url.hashCode()));
        script(mavenHome.resolve("bin/mvn"), "#!/bin/sh\necho \"mvn JAVA_HOME=$JAVA_HOME $*\" >> \"$FAKE_LOG\"\n");
    }

    private static void script(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        file.toFile().setExecutable(true);
    }

    private Path jdk(String version) {
        return root.resolve("jdk-" + version);
    }

    /** Runs ./mvnw from a directory outside the repository, with only the given JAVA_HOME and PATH. */
    private Run mvnw(String javaHome, String path, String... args) throws IOException, InterruptedException {
        Path cwd = Files.createDirectories(root.resolve("elsewhere"));
        Path log = root.resolve("calls.log");
        Files.deleteIfExists(log);
        List<String> cmd = new ArrayList<>(List.of(root.resolve("mvnw").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(root.resolve("stdout").toFile()).redirectError(root.resolve("stderr").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", path);
        env.put("HOME", root.toString());
        env.put("MAVEN_USER_HOME", root.resolve("m2").toString());
        env.put("FAKE_LOG", log.toString());
        if (javaHome != null) env.put("JAVA_HOME", javaHome);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "./mvnw did not finish");
        return new Run(p.exitValue(), Files.readString(root.resolve("stderr"), StandardCharsets.UTF_8),
                Files.exists(log) ? Files.readAllLines(log) : List.of());
    }

    private String path(String firstJdk) {
        return jdk(firstJdk).resolve("bin") + ":/usr/bin:/bin";
    }

    @Test
    void aJavaHomeOf21OrNewerIsKeptAndTheArgumentsGoToMaven() throws Exception {
        sandbox();
        Run r = mvnw(jdk("21.0.5").toString(), path("17.0.2"), "-B", "-q", "package");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("mvn JAVA_HOME=" + jdk("21.0.5") + " -B -q package"), r.calls());
    }

    @Test
    void aJavaHomeOf17GivesWayToAJava25OnPath() throws Exception {
        sandbox();
        Run r = mvnw(jdk("17.0.2").toString(), path("25"), "-v");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("mvn JAVA_HOME=" + jdk("25") + " -v"), r.calls());
    }

    @Test
    void withOnlyJava17OnPathTheNewestJdkUnderUsrLibJvmIsUsedOrTheUserIsToldWhatToInstall() throws Exception {
        sandbox();
        Run r = mvnw(null, path("17.0.2"), "-v");
        // What /usr/lib/jvm holds is this machine's business: either answer is right, nothing in between.
        if (r.code() == 0) {
            assertEquals(1, r.calls().size(), r.calls().toString());
            String home = r.calls().get(0).replaceFirst("^mvn JAVA_HOME=(\\S+) -v$", "$1");
            assertTrue(home.startsWith("/usr/lib/jvm/"), r.calls().toString());
            String release = Files.readString(Path.of(home, "release"));
            int feature = Integer.parseInt(release.replaceAll("(?s).*JAVA_VERSION=\"(\\d+).*", "$1"));
            assertTrue(feature >= 21, home + " is JDK " + feature);
        } else {
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().startsWith("lanes: no JDK 21 or newer found. Tried:"), r.err());
            assertTrue(r.err().contains(jdk("17.0.2") + "/bin/java (version 17)"), r.err());
            assertTrue(r.err().contains("then set JAVA_HOME to it or put its bin/ on PATH"), r.err());
            assertEquals(List.of(), r.calls(), "Maven may not start on a JDK that cannot build Lanes");
        }
    }
}

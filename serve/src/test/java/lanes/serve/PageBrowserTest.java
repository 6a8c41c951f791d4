package lanes.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;

/**
 * The draw-a-digit page in a real browser: Debian's headless Chromium, driven through its chromedriver
 * by Selenium (nothing downloaded: both paths are given, so Selenium Manager is never asked). A digit
 * is drawn stroke by stroke with the mouse, and another with a finger (touch pointer); the prediction
 * and the ten probabilities are read from the DOM and checked against the server's own answer for the
 * same drawing; screenshots go to target/. Without a browser the test is skipped, saying why.
 * Runs once (tag "once"): the page does not depend on the kernels.
 */
@Tag("once")
class PageBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static TestServer server;
    static ChromeDriver driver;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            System.err.println("PageBrowserTest SKIPPED: no browser (" + CHROMIUM + " and " + CHROMEDRIVER
                    + " are needed: apt-get install chromium chromium-driver; .ci/run installs them)");
        }
        assumeTrue(present, "no browser: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver)");
        server = TestServer.start(TestServer.defaults());
        profile = Files.createTempDirectory("lanes-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1000,800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) driver.quit();
        if (server != null) server.close();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what + "; status: "
                    + driver.findElement(By.id("status")).getText());
            Thread.sleep(25);
        }
    }

    /** The probabilities the bars show, from their data-p attributes. */
    private static float[] bars() {
        List<WebElement> rows = driver.findElements(By.cssSelector("#bars .bar"));
        float[] p = new float[rows.size()];
        for (int i = 0; i < p.length; i++) {
            assertEquals(Integer.toString(i), rows.get(i).getDomAttribute("data-digit"));
            p[i] = Float.parseFloat(rows.get(i).getDomAttribute("data-p"));
        }
        return p;
    }

    /** Sends the canvas as the page does, from Java: the server's answer for exactly what was drawn. */
    private static String serverAnswer() throws Exception {
        String url = (String) js("return document.getElementById('pad').toDataURL('image/png');");
        byte[] png = Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1));
        var r = server.post("/v1/models/mnist:image?top_k=3", "image/png", png);
        assertEquals(200, r.status(), r.body());
        return r.body();
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(target) > 1000, "a screenshot");
    }

    /** Waits until the page has settled on an answer for the current drawing, and checks it against the server. */
    private static int settledPrediction() throws Exception {
        await("a prediction", () -> !driver.findElement(By.id("prediction")).getText().equals("?"));
        String expected = serverAnswer();
        int label = Integer.parseInt(expected.replaceAll("(?s).*\"label\": ([0-9]+),.*", "$1"));
        float[] p = TestServer.floats(TestServer.arrayAfter(expected, "probabilities"));
        // the page may still be answering an earlier, partial drawing: wait for the last answer
        await("the page to show the final drawing's answer", () -> java.util.Arrays.equals(bars(), p));
        assertEquals(Integer.toString(label), driver.findElement(By.id("prediction")).getText());
        assertArrayEquals(p, bars());
        float sum = 0;
        for (float v : p) sum += v;
        assertEquals(1f, sum, 1e-3f);
        String top = driver.findElement(By.cssSelector("#bars .bar.top")).getDomAttribute("data-digit");
        assertEquals(Integer.toString(label), top);
        long ink = (Long) js("const d = document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data;"
                + "let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s;");
        assertTrue(ink > 255 * 20, "what the network saw is drawn: " + ink);
        return label;
    }

    @Test
    void drawASevenWithTheMouseAndSeeItRecognised() throws Exception {
        driver.manage().window().setSize(new Dimension(1000, 800));
        driver.get(server.base + "/");
        await("the model line", () -> driver.findElement(By.id("model")).getText().contains("version 1"));
        assertEquals("?", driver.findElement(By.id("prediction")).getText());
        WebElement pad = driver.findElement(By.id("pad"));
        int w = pad.getRect().getWidth(), h = pad.getRect().getHeight();
        // Selenium offsets are from the element's centre. Stroke 1: the bar of the 7, left to right.
        Actions a = new Actions(driver).moveToElement(pad, -w * 3 / 10, -h * 3 / 10).clickAndHold();
        for (int i = 0; i < 12; i++) a.moveByOffset(w * 6 / 10 / 12, 0);
        a.release().perform();
        // Stroke 2: the stem, from the bar's right end down and to the left.
        Actions b = new Actions(driver).moveToElement(pad, w * 3 / 10, -h * 3 / 10).clickAndHold();
        for (int i = 0; i < 14; i++) b.moveByOffset(-w * 4 / 10 / 14, h * 7 / 10 / 14);
        b.release().perform();
        int label = settledPrediction();
        assertEquals(7, label, "the network should see a 7 in this drawing");
        screenshot("serve-page-seven.png");

        driver.findElement(By.id("clear")).click();
        assertEquals("?", driver.findElement(By.id("prediction")).getText());
        for (float v : bars()) assertEquals(0f, v);
    }

    @Test
    void pickOrDropAnImageFile() throws Exception {
        driver.manage().window().setSize(new Dimension(1000, 800));
        driver.get(server.base + "/");
        Path photo = Path.of("../tools/samples/digit-3-photo.jpg").toAbsolutePath().normalize();
        driver.findElement(By.id("file")).sendKeys(photo.toString());
        await("the file's answer", () -> driver.findElement(By.id("status")).getText().equals("Predicted from digit-3-photo.jpg."));
        assertEquals("3", driver.findElement(By.id("prediction")).getText());
        var r = server.post("/v1/models/mnist:image", "image/jpeg", Files.readAllBytes(photo));
        assertArrayEquals(TestServer.floats(TestServer.arrayAfter(r.body(), "probabilities")), bars());
        screenshot("serve-page-file.png");

        // Dropping a file: the page's drop handler gets a DataTransfer holding it, as from a file manager.
        Path gif = Path.of("../tools/samples/digit-5-palette.gif").toAbsolutePath().normalize();
        js("const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                + "const dt = new DataTransfer(); dt.items.add(new File([bytes], 'dropped.gif', {type: 'image/gif'}));"
                + "document.body.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
                Base64.getEncoder().encodeToString(Files.readAllBytes(gif)));
        await("the dropped file's answer", () -> driver.findElement(By.id("status")).getText().equals("Predicted from dropped.gif."));
        var dropped = server.post("/v1/models/mnist:image", "image/gif", Files.readAllBytes(gif));
        assertEquals(dropped.body().replaceAll("(?s).*\"label\": ([0-9]+),.*", "$1"), driver.findElement(By.id("prediction")).getText());
        assertArrayEquals(TestServer.floats(TestServer.arrayAfter(dropped.body(), "probabilities")), bars());
    }

    @Test
    void drawAOneWithAFingerOnAPhoneSizedScreen() throws Exception {
        driver.manage().window().setSize(new Dimension(390, 844));
        driver.get(server.base + "/");
        long scroll = (Long) js("return document.documentElement.scrollWidth - window.innerWidth;");
        assertTrue(scroll <= 0, "no sideways scrolling on a phone: " + scroll + " px too wide");
        WebElement pad = driver.findElement(By.id("pad"));
        int w = pad.getRect().getWidth(), h = pad.getRect().getHeight();
        long innerWidth = (Long) js("return window.innerWidth;");
        assertTrue(w <= innerWidth, "the drawing area fits the screen: " + w + " of " + innerWidth);
        PointerInput finger = new PointerInput(PointerInput.Kind.TOUCH, "finger");
        Sequence stroke = new Sequence(finger, 0);
        stroke.addAction(finger.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(pad), w / 20, -h * 35 / 100));
        stroke.addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
        for (int i = 1; i <= 14; i++) {
            stroke.addAction(finger.createPointerMove(Duration.ofMillis(15), PointerInput.Origin.fromElement(pad),
                    w / 20 - w * i / 10 / 14, -h * 35 / 100 + h * 7 / 10 * i / 14));
        }
        stroke.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
        driver.perform(List.of(stroke));
        int label = settledPrediction();
        assertEquals(1, label, "the network should see a 1 in a single downward stroke");
        screenshot("serve-page-phone.png");
    }
}

package com.rafaribe.homelab.hub.dashboard;

import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.sandbox.Demo;
import com.rafaribe.homelab.hub.testing.Browser;
import com.rafaribe.homelab.hub.testing.HubApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;

/**
 * The README's picture of the dashboard, taken by scripts/screenshot: the demo runs until it has
 * unlocked a lock, seen the backup recover and waited on a foreign holder; then headless Chromium
 * photographs the page. Run with the path of the PNG to write.
 */
public final class DashboardScreenshot {
    private DashboardScreenshot() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Demo demo = Demo.start(2, 0, Duration.ofSeconds(6), Duration.ofSeconds(1), Duration.ofSeconds(5),
                new PrintStream(printed, true, StandardCharsets.UTF_8));
             Browser browser = Browser.start()) {
            HubApi api = new HubApi(demo.httpPort());
            await().atMost(Duration.ofMinutes(3)).until(() -> printed.toString(StandardCharsets.UTF_8).contains("backup recovered")
                    && api.list("/api/unlocks").stream().anyMatch(u -> "WaitingForHolder".equals(u.getString("state"))));
            browser.driver.manage().window().setSize(new Dimension(1400, 1300));
            browser.driver.get("http://127.0.0.1:" + demo.httpPort() + "/");
            await().atMost(Duration.ofSeconds(30)).until(() -> (Boolean) browser.script(
                    "return document.querySelectorAll('#history tbody tr').length > 0 && document.querySelectorAll('#active tbody tr').length > 0"));
            Files.write(out, browser.driver.getScreenshotAs(OutputType.BYTES));
        }
        System.out.print(printed.toString(StandardCharsets.UTF_8));
    }
}

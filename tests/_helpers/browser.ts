/**
 * Where the tests find Chromium: `CHROMIUM_PATH` or Debian's `/usr/bin/chromium`. Without
 * it a browser test is skipped, unless `STREAMDET_REQUIRE_BROWSER=1` (CI) makes it fail.
 *
 * @module
 */

/** The Chromium executable the tests drive. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium";
/** Whether a missing browser must fail the browser tests (CI sets it). */
export const BROWSER_REQUIRED: boolean = Deno.env.get("STREAMDET_REQUIRE_BROWSER") === "1";
/** Whether {@link CHROMIUM} exists. */
export const HAVE_CHROMIUM: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/**
 * Launches {@link CHROMIUM} headless with playwright-core, which is imported here, so that
 * an ignored browser test needs neither it nor its permissions. Throws a message saying what
 * to install or grant when chromium or `--allow-sys=homedir,osRelease` is missing.
 *
 * @example
 * ```ts ignore
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * ```
 */
export async function launchChromium(): Promise<import("playwright-core").Browser> {
  if (!HAVE_CHROMIUM) {
    throw new Error(
      `STREAMDET_REQUIRE_BROWSER=1 but there is no chromium at ${CHROMIUM}: install Debian's chromium or set CHROMIUM_PATH`,
    );
  }
  // playwright-core reads the home directory and the OS release as it loads.
  const sys = (["homedir", "osRelease"] as const).filter((kind) =>
    Deno.permissions.querySync({ name: "sys", kind }).state !== "granted"
  );
  if (sys.length > 0) {
    throw new Error(
      `playwright-core needs --allow-sys=homedir,osRelease (missing: ${sys.join(", ")})`,
    );
  }
  // Its bundled is-wsl also probes /proc/sys/fs/binfmt_misc/WSLInterop at load, which
  // Deno refuses without --allow-all; with __IS_WSL_TEST__ set it skips that probe (the
  // result only matters to its `open` helper, which launching chromium does not use).
  Deno.env.set("__IS_WSL_TEST__", "1");
  let playwright: typeof import("playwright-core");
  try {
    playwright = await import("playwright-core");
  } finally {
    Deno.env.delete("__IS_WSL_TEST__");
  }
  return await playwright.chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

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

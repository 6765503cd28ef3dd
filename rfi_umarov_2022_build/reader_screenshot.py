"""Screenshot of the reader page in headless Chromium (Debian's chromium and chromium-driver, via selenium).

Usage: python -m rfi_umarov_2022_build.reader_screenshot PAGE.html OUT.png [--zoom 2] [--print] [--open c001]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]


def find_browser() -> tuple[str, str] | None:
    """Paths of chromium and chromedriver, or None when either is missing."""
    browser = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start(width: int = 1280, height: int = 1600, profile: str | None = None) -> Any:
    """A headless Chromium driven by selenium, with a fresh profile and browser/performance logs on."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_browser()
    if found is None:
        raise RuntimeError("chromium and chromedriver are needed: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile or tempfile.mkdtemp(prefix='reader-chromium-')}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=found[1]), options=options)


def screenshot(page: Path, out: Path, zoom: float = 1.0, media_print: bool = False,
               open_id: str | None = "c001", width: int = 1280, height: int = 1600,
               actor: str | None = None) -> Path:
    """Load ``page`` from file://, optionally open one item, and save a PNG of the window."""
    driver = start(width, height)
    try:
        # an exact viewport; zoom 2 is what a 200% browser zoom does: half the CSS pixels, twice the density
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": int(width / zoom), "height": int(height / zoom),
            "deviceScaleFactor": zoom, "mobile": False})
        if media_print:
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        url = page.resolve().as_uri() + (f"#{open_id}" if open_id else "")
        driver.get(url)
        if actor:
            driver.execute_script(
                "var s=document.getElementById('f-actor');s.value=arguments[0];"
                "s.dispatchEvent(new Event('change'))", actor)
        if open_id:
            driver.execute_script("window.scrollTo(0,0)")
        out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(out))
    finally:
        driver.quit()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--zoom", type=float, default=1.0)
    ap.add_argument("--print", dest="media_print", action="store_true")
    ap.add_argument("--open", dest="open_id", default="c001", help="item to open first ('' for none)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=1600)
    ap.add_argument("--actor", default=None, help="actor to mark with the actor filter")
    a = ap.parse_args()
    print(screenshot(a.page, a.out, a.zoom, a.media_print, a.open_id or None, a.width, a.height, a.actor))


if __name__ == "__main__":
    main()

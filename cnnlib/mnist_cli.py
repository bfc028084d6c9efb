"""``python -m cnnlib.mnist``: download MNIST into the cache folder if needed, verify every file and
print where they are, so a teacher can copy them to laptops without internet."""

from __future__ import annotations

import argparse
import sys

from .mnist_download import ENV_MIRRORS, MnistDownloadError, configured_mirrors, fetch_files
from .mnist_files import ENV_DIR, MNIST_FILES, NPZ_NAME, cache_names, mnist_dir, remove_stale_parts, save_npz

__all__ = ["main"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnlib.mnist",
        description="Download MNIST into the cache folder if needed, verify every file and print "
                    f"where they are. Folder: ${ENV_DIR} or data/mnist/; mirrors: ${ENV_MIRRORS}.")
    parser.parse_args(argv)
    try:
        folder = mnist_dir()
        remove_stale_parts(folder, cache_names())
        arrays = fetch_files(folder, configured_mirrors())
        save_npz(folder, arrays)
        sizes = {name: (folder / name).stat().st_size / 1e6 for name in cache_names()}
    except (MnistDownloadError, OSError, ValueError) as e:
        print(e, file=sys.stderr)
        return 1
    print(f"MNIST is ready and verified in {folder}")
    for spec in MNIST_FILES:
        print(f"  {spec.name:<28} {sizes[spec.name]:5.1f} MB  {spec.shape}")
    print(f"  {NPZ_NAME:<28} {sizes[NPZ_NAME]:5.1f} MB  (the same arrays, for fast loading; rebuilt when missing)")
    print(f"""
To set up laptops without internet, do one of:
  - copy the four .gz files into data/mnist/ of each laptop's checkout;
  - put them on a USB stick or shared folder and set {ENV_MIRRORS}=file:///path/to/that/folder/
  - serve them from this machine:  python3 -m http.server 8000 --directory {folder}
    and set {ENV_MIRRORS}=http://<this machine's address>:8000/ on the laptops.""")
    return 0

# SPDX-License-Identifier: GPL-3.0-or-later
# The fuzz targets: fuzz_<name>.c, corpus/<name>/.  Shared by the libFuzzer
# build (CMakeLists.txt) and the corpus replay in the test run (replay.cmake).
set(PASSEUR_FUZZ_TARGETS conf decode xmlsniff pipeline jsonpeek jsonscan
    inflate rest spoolctl)

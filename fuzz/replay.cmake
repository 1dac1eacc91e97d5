# SPDX-License-Identifier: GPL-3.0-or-later
# Included from tests/CMakeLists.txt: replays every checked-in corpus
# through its fuzz target with the ordinary compiler and sanitizers, so a
# regression on a known input fails the test run without libFuzzer.
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
# expat is the reference the XML scanner is checked against.
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
foreach(t ${PASSEUR_FUZZ_TARGETS})
	add_executable(replay_${t} ${CMAKE_CURRENT_LIST_DIR}/fuzz_${t}.c
	    ${CMAKE_CURRENT_LIST_DIR}/fuzz_util.c
	    ${CMAKE_CURRENT_LIST_DIR}/replay.c)
	target_link_libraries(replay_${t} PRIVATE passeur_core PkgConfig::EXPAT)
	add_test(NAME fuzz.replay.${t}
	    COMMAND replay_${t} ${CMAKE_CURRENT_LIST_DIR}/corpus/${t})
	set_tests_properties(fuzz.replay.${t} PROPERTIES
	    LABELS fuzz
	    ENVIRONMENT "TMPDIR=${CMAKE_CURRENT_BINARY_DIR}")
endforeach()

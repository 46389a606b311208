# tests/golden/run_golden.cmake: one CLI golden test. Imports the case's setup files (CASE.setup,
# one path per line; default samples/estate.json) into a fresh database, runs authpath with the
# arguments in CASE.args (one per line) from the source tree, and compares stdout, stderr and
# the exit code with CASE.out, CASE.err (default empty) and CASE.rc (default 0).
get_filename_component(dir ${ARGS} DIRECTORY)
get_filename_component(case ${ARGS} NAME_WE)
file(MAKE_DIRECTORY ${WORK})
set(db ${WORK}/${case}.db)
file(REMOVE ${db} ${db}-wal ${db}-shm)
set(ENV{SOURCE_DATE_EPOCH} 1767225600)
set(ENV{AUTHPATH_DB} ${db})

set(setup samples/estate.json)
if(EXISTS ${dir}/${case}.setup)
  file(STRINGS ${dir}/${case}.setup setup)
endif()
foreach(f ${setup})
  if(NOT f STREQUAL "none")
    execute_process(COMMAND ${AUTHPATH} import ${f} WORKING_DIRECTORY ${SRC}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "setup import of ${f} failed (${rc}): ${err}")
    endif()
  endif()
endforeach()

# VALGRIND (with VALGRIND_SUPP): the case's command runs under memcheck; any error or leak of
# ours prints to stderr and fails the comparison.
set(wrap "")
if(VALGRIND)
  set(wrap ${VALGRIND} --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible
      --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
      --suppressions=${VALGRIND_SUPP})
endif()
file(STRINGS ${ARGS} args)
execute_process(COMMAND ${wrap} ${AUTHPATH} ${args} WORKING_DIRECTORY ${SRC}
                RESULT_VARIABLE rc OUTPUT_FILE ${WORK}/${case}.out ERROR_FILE ${WORK}/${case}.err)
# CASE.then: a second command (one argument per line) whose stdout is appended, e.g. to show
# that a failed import left the database as it was.
if(EXISTS ${dir}/${case}.then)
  file(STRINGS ${dir}/${case}.then then_args)
  execute_process(COMMAND ${AUTHPATH} ${then_args} WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE then_out)
  file(APPEND ${WORK}/${case}.out "${then_out}")
endif()
set(want_rc 0)
if(EXISTS ${dir}/${case}.rc)
  file(STRINGS ${dir}/${case}.rc want_rc)
endif()
file(WRITE ${WORK}/${case}.empty "")
set(failed "")
foreach(stream out err)
  set(want ${dir}/${case}.${stream})
  if(NOT EXISTS ${want})
    set(want ${WORK}/${case}.empty)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${want} ${WORK}/${case}.${stream}
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    execute_process(COMMAND diff -u ${want} ${WORK}/${case}.${stream})
    set(failed "${failed} std${stream}")
  endif()
endforeach()
if(NOT rc STREQUAL want_rc)
  set(failed "${failed} exit-code(${rc}, expected ${want_rc})")
endif()
if(failed)
  message(FATAL_ERROR "golden ${case}: mismatch in${failed}\n"
                      "regenerate with: tests/golden/update.sh")
endif()

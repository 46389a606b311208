# tests/docs/check_rules_md.cmake: docs/rules.md must be exactly what `authpath rules --format
# markdown` prints from the rule table, so the catalogue documentation cannot drift.
execute_process(COMMAND ${AUTHPATH} rules --format markdown OUTPUT_FILE ${WORK}/rules.md
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "authpath rules --format markdown failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DOC} ${WORK}/rules.md
                RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  execute_process(COMMAND diff -u ${DOC} ${WORK}/rules.md)
  message(FATAL_ERROR "docs/rules.md differs from the rule table; regenerate with:\n"
                      "  build/authpath rules --format markdown > docs/rules.md")
endif()

# tests/golden/check_dot.cmake: a golden DOT file must be read back by Graphviz's own `dot` and
# rendered to SVG with no error and no warning (the renderer's escaping is proven on real input).
execute_process(COMMAND ${DOT} -Tsvg -o ${WORK} ${FILE}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "dot cannot render ${FILE} (exit ${rc}):\n${err}")
endif()
file(READ ${WORK} svg)
if(NOT svg MATCHES "</svg>")
  message(FATAL_ERROR "dot wrote no SVG for ${FILE}")
endif()

# cmake -DINPUT=file -DOUTPUT=header -DSYMBOL=name -P embed_text.cmake
# Writes a header holding the file's text as a raw string literal, so that the binary carries
# it (the report template, reference tables) and runs from any directory.
file(READ "${INPUT}" text)
string(FIND "${text}" ")PNAS_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n#pragma once\nnamespace paretonas {\ninline constexpr const char* ${SYMBOL} = R\"PNAS_EMBED(${text})PNAS_EMBED\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

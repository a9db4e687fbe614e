# One static library per src/ folder, fdscope_<folder>, linked PUBLIC to the
# libraries of the folders src/layers.txt lets it include, so the link
# graph is the include graph the layering test (tests/layering) checks: a
# library that needs another must say so in layers.txt.
#
#   fdscope_layer(folder [EXCLUDE regex] [LIBS library ...])
#
# compiles every .cpp under src/<folder>/ (sub-folders too) but those whose
# path matches EXCLUDE, and links LIBS beside the arrows.

file(STRINGS ${CMAKE_SOURCE_DIR}/src/layers.txt fdscope_arrow_lines)
set(FDSCOPE_FOLDERS)
foreach(line IN LISTS fdscope_arrow_lines)
  string(REGEX REPLACE "#.*$" "" line "${line}")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    continue()
  endif()
  string(FIND "${line}" ":" colon)
  string(SUBSTRING "${line}" 0 ${colon} folder)
  math(EXPR after "${colon} + 1")
  string(SUBSTRING "${line}" ${after} -1 deps)
  separate_arguments(deps UNIX_COMMAND "${deps}")
  set(FDSCOPE_ARROWS_${folder} ${deps})
  list(APPEND FDSCOPE_FOLDERS ${folder})
endforeach()
# Re-run CMake when the arrows change.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/layers.txt)

function(fdscope_layer folder)
  cmake_parse_arguments(L "" "EXCLUDE" "LIBS" ${ARGN})
  if(NOT folder IN_LIST FDSCOPE_FOLDERS)
    message(FATAL_ERROR "src/${folder}/ is not declared in src/layers.txt")
  endif()
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${folder}/*.cpp)
  if(L_EXCLUDE)
    list(FILTER sources EXCLUDE REGEX "${L_EXCLUDE}")
  endif()
  if(NOT sources)
    return()  # declared in layers.txt, not written yet
  endif()
  add_library(fdscope_${folder} STATIC ${sources})
  target_include_directories(fdscope_${folder} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  # A folder declared for later (no library yet) is skipped; layers.txt
  # lists folders below their users, so every existing one is defined here.
  foreach(dep IN LISTS FDSCOPE_ARROWS_${folder})
    if(TARGET fdscope_${dep})
      target_link_libraries(fdscope_${folder} PUBLIC fdscope_${dep})
    endif()
  endforeach()
  if(L_LIBS)
    target_link_libraries(fdscope_${folder} PUBLIC ${L_LIBS})
  endif()
endfunction()

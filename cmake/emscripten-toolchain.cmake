# The wasm preset's toolchain: Emscripten's own toolchain file, found from the emcc on PATH
# (Debian's emscripten package or an activated emsdk), so no path is written into the project.
find_program(FETCHLAB_EMCC emcc)
set(_fetchlab_roots)
if(FETCHLAB_EMCC)
    get_filename_component(_emcc "${FETCHLAB_EMCC}" REALPATH)
    get_filename_component(_root "${_emcc}" DIRECTORY)
    list(APPEND _fetchlab_roots "${_root}")
endif()
if(DEFINED ENV{EMSDK})
    list(APPEND _fetchlab_roots "$ENV{EMSDK}/upstream/emscripten")
endif()
foreach(_root IN LISTS _fetchlab_roots)
    if(EXISTS "${_root}/cmake/Modules/Platform/Emscripten.cmake")
        set(FETCHLAB_EMSCRIPTEN_ROOT "${_root}")
        break()
    endif()
endforeach()
if(NOT FETCHLAB_EMSCRIPTEN_ROOT)
    message(FATAL_ERROR "Emscripten not found: install Debian's emscripten package or activate an emsdk")
endif()

# Emscripten's node tools need acorn; Debian's emscripten finds it among Debian's node modules
# only when node is Debian's own. A launcher sets NODE_PATH for every link, inside presets or not.
if(EXISTS "/usr/share/nodejs/acorn")
    set(CMAKE_CXX_LINKER_LAUNCHER "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs" CACHE STRING "")
endif()
# node 20 runs Emscripten 3.1.6's output only without its built-in fetch; older defaults pass a
# threads flag that node 20 rejects.
find_program(FETCHLAB_NODE NAMES node nodejs)
if(FETCHLAB_NODE)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${FETCHLAB_NODE};--no-experimental-fetch" CACHE STRING "")
endif()

include("${FETCHLAB_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")

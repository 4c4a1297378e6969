# Dear ImGui for the WebAssembly build, compiled from source: Debian's `imgui` source package,
# fetched into a cache outside the source tree and checked, or a checkout the user names.
set(FETCHLAB_IMGUI_VERSION "1.86")
set(FETCHLAB_IMGUI_SHA256 "0dace0e8e57d298eb6e93af12dc19420cb96330832f6495c733b90aeeef11f64")
set(FETCHLAB_IMGUI_DIR "" CACHE PATH "A Dear ImGui source checkout to use instead of Debian's imgui source package")

if(FETCHLAB_IMGUI_DIR)
    set(_imgui_dir "${FETCHLAB_IMGUI_DIR}")
else()
    if(DEFINED ENV{FETCHLAB_CACHE})
        set(_cache "$ENV{FETCHLAB_CACHE}")
    elseif(DEFINED ENV{XDG_CACHE_HOME})
        set(_cache "$ENV{XDG_CACHE_HOME}/fetchlab")
    else()
        set(_cache "$ENV{HOME}/.cache/fetchlab")
    endif()
    set(_imgui_dir "${_cache}/imgui-${FETCHLAB_IMGUI_VERSION}")
    if(NOT EXISTS "${_imgui_dir}/imgui.cpp")
        execute_process(
            COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/fetch-imgui-source.sh" "${_cache}" "${FETCHLAB_IMGUI_VERSION}"
                    "${FETCHLAB_IMGUI_SHA256}"
            RESULT_VARIABLE _rc)
        if(NOT _rc EQUAL 0)
            message(FATAL_ERROR "Could not fetch Dear ImGui's source; name a checkout with -DFETCHLAB_IMGUI_DIR=...")
        endif()
    endif()
endif()
if(NOT EXISTS "${_imgui_dir}/imgui.cpp" OR NOT EXISTS "${_imgui_dir}/backends/imgui_impl_glfw.cpp")
    message(FATAL_ERROR "${_imgui_dir} is not a Dear ImGui source tree (imgui.cpp, backends/)")
endif()
message(STATUS "Dear ImGui source: ${_imgui_dir}")

set(FETCHLAB_IMGUI_SOURCES
    "${_imgui_dir}/imgui.cpp"
    "${_imgui_dir}/imgui_draw.cpp"
    "${_imgui_dir}/imgui_tables.cpp"
    "${_imgui_dir}/imgui_widgets.cpp"
    "${_imgui_dir}/backends/imgui_impl_glfw.cpp"
)
set(FETCHLAB_IMGUI_INCLUDE_DIRS "${_imgui_dir}" "${_imgui_dir}/backends")

// Draws ImGui's draw data with WebGL2 (OpenGL ES 3), from the shaders in shaders/.
//
// Why not ImGui's OpenGL3 backend: it saves and restores the GL state around every frame with
// glGetIntegerv, and in a browser each such query waits for the GPU process to finish the frames
// before it. With Chromium's software GPU that kept the main thread blocked 90 % of the time, and
// every fetch callback waited behind it. This page owns its context, so nothing needs restoring
// and a frame makes no query at all.
#pragma once

#include <GLES3/gl3.h>

#include <string>

struct ImDrawData;

namespace fetchlab {

class GlRenderer {
public:
    GlRenderer() = default;
    GlRenderer(const GlRenderer&) = delete;
    GlRenderer& operator=(const GlRenderer&) = delete;
    ~GlRenderer();

    // Compiles the shaders and uploads ImGui's font atlas; "" on success, else what failed.
    std::string init();
    void render(const ImDrawData& draw_data);

private:
    GLuint program_ = 0, atlas_ = 0, vertex_array_ = 0, vertices_ = 0, indices_ = 0;
    GLint projection_ = -1;
    GLsizeiptr vertex_capacity_ = 0, index_capacity_ = 0;
};

}  // namespace fetchlab

#include "gl_renderer.h"

#include <cstddef>
#include <cstdint>

#include "imgui.h"
#include "shaders.h"

namespace fetchlab {
namespace {

// GLSL ES 3.00 wants a float precision in fragment shaders. Positions keep highp: in mediump
// (16-bit floats on many phones) vertices past 2048 pixels would snap to 2-pixel steps.
constexpr const char* vertex_header = "#version 300 es\nprecision highp float;\n";
constexpr const char* fragment_header = "#version 300 es\nprecision mediump float;\n";

GLuint compile(GLenum stage, const char* body) {
    const GLuint shader = glCreateShader(stage);
    const char* parts[] = {stage == GL_VERTEX_SHADER ? vertex_header : fragment_header, body};
    glShaderSource(shader, 2, parts, nullptr);
    glCompileShader(shader);
    return shader;
}

std::string shader_log(GLuint shader) {
    char log[1024] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    return log;
}

}  // namespace

std::string GlRenderer::init() {
    // Only the link status is asked for: each question waits on the GPU process, and a shader that
    // did not compile fails the link anyway, when its own log is read.
    const GLuint vert = compile(GL_VERTEX_SHADER, shaders::panel_vert);
    const GLuint frag = compile(GL_FRAGMENT_SHADER, shaders::panel_frag);
    program_ = glCreateProgram();
    glAttachShader(program_, vert);
    glAttachShader(program_, frag);
    glLinkProgram(program_);
    GLint linked = GL_FALSE;
    glGetProgramiv(program_, GL_LINK_STATUS, &linked);
    std::string error;
    if (!linked) {
        char log[1024] = {};
        glGetProgramInfoLog(program_, sizeof log, nullptr, log);
        error = "the panel's shaders did not build. panel.vert: " + shader_log(vert) + " panel.frag: " +
                shader_log(frag) + " link: " + log;
    }
    glDeleteShader(vert);  // the program keeps what it needs
    glDeleteShader(frag);
    if (!error.empty()) return error;
    projection_ = glGetUniformLocation(program_, "projection");
    glUseProgram(program_);
    glUniform1i(glGetUniformLocation(program_, "atlas"), 0);

    // The vertex layout is ImGui's ImDrawVert, read straight from its draw lists.
    glGenVertexArrays(1, &vertex_array_);
    glGenBuffers(1, &vertices_);
    glGenBuffers(1, &indices_);
    glBindVertexArray(vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, vertices_);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, indices_);
    glEnableVertexAttribArray(0);
    glEnableVertexAttribArray(1);
    glEnableVertexAttribArray(2);
    const auto stride = static_cast<GLsizei>(sizeof(ImDrawVert));
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, col)));

    ImGuiIO& io = ImGui::GetIO();
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
    glGenTextures(1, &atlas_);
    glBindTexture(GL_TEXTURE_2D, atlas_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(atlas_)));
    io.BackendRendererName = "fetchlab WebGL2";

    // The panel is the only thing this context draws: its state is set once and stays.
    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_STENCIL_TEST);
    glActiveTexture(GL_TEXTURE0);
    return "";
}

GlRenderer::~GlRenderer() {
    glDeleteTextures(1, &atlas_);
    glDeleteBuffers(1, &vertices_);
    glDeleteBuffers(1, &indices_);
    glDeleteVertexArrays(1, &vertex_array_);
    glDeleteProgram(program_);
}

void GlRenderer::render(const ImDrawData& data) {
    const float scale_x = data.FramebufferScale.x, scale_y = data.FramebufferScale.y;
    const int fb_width = static_cast<int>(data.DisplaySize.x * scale_x);
    const int fb_height = static_cast<int>(data.DisplaySize.y * scale_y);
    if (fb_width <= 0 || fb_height <= 0) return;

    glViewport(0, 0, fb_width, fb_height);
    // Pixels to clip space, y down as ImGui draws it.
    const float l = data.DisplayPos.x, r = l + data.DisplaySize.x;
    const float t = data.DisplayPos.y, b = t + data.DisplaySize.y;
    const float projection[16] = {
        2.0f / (r - l),    0.0f,              0.0f,  0.0f,  //
        0.0f,              2.0f / (t - b),    0.0f,  0.0f,  //
        0.0f,              0.0f,              -1.0f, 0.0f,  //
        (r + l) / (l - r), (t + b) / (b - t), 0.0f,  1.0f,
    };
    glUseProgram(program_);
    glUniformMatrix4fv(projection_, 1, GL_FALSE, projection);
    glBindVertexArray(vertex_array_);
    glBindBuffer(GL_ARRAY_BUFFER, vertices_);
    glEnable(GL_SCISSOR_TEST);

    for (int n = 0; n < data.CmdListsCount; ++n) {
        const ImDrawList& list = *data.CmdLists[n];
        const auto vertex_bytes = static_cast<GLsizeiptr>(list.VtxBuffer.Size * sizeof(ImDrawVert));
        const auto index_bytes = static_cast<GLsizeiptr>(list.IdxBuffer.Size * sizeof(ImDrawIdx));
        // Buffers grow and are then rewritten in place, so a steady panel allocates nothing.
        if (vertex_bytes > vertex_capacity_) {
            vertex_capacity_ = vertex_bytes * 2;
            glBufferData(GL_ARRAY_BUFFER, vertex_capacity_, nullptr, GL_STREAM_DRAW);
        }
        if (index_bytes > index_capacity_) {
            index_capacity_ = index_bytes * 2;
            glBufferData(GL_ELEMENT_ARRAY_BUFFER, index_capacity_, nullptr, GL_STREAM_DRAW);
        }
        glBufferSubData(GL_ARRAY_BUFFER, 0, vertex_bytes, list.VtxBuffer.Data);
        glBufferSubData(GL_ELEMENT_ARRAY_BUFFER, 0, index_bytes, list.IdxBuffer.Data);

        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            if (cmd.UserCallback) {
                // The panel sets no callbacks of its own; ImGui's reset marker needs nothing here.
                if (cmd.UserCallback != ImDrawCallback_ResetRenderState) cmd.UserCallback(&list, &cmd);
                continue;
            }
            const float x0 = (cmd.ClipRect.x - data.DisplayPos.x) * scale_x;
            const float y0 = (cmd.ClipRect.y - data.DisplayPos.y) * scale_y;
            const float x1 = (cmd.ClipRect.z - data.DisplayPos.x) * scale_x;
            const float y1 = (cmd.ClipRect.w - data.DisplayPos.y) * scale_y;
            if (x1 <= x0 || y1 <= y0) continue;
            // GL's scissor box starts at the bottom left.
            glScissor(static_cast<GLint>(x0), static_cast<GLint>(fb_height - y1), static_cast<GLsizei>(x1 - x0),
                      static_cast<GLsizei>(y1 - y0));
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<std::uintptr_t>(cmd.GetTexID())));
            glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount),
                           sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                           reinterpret_cast<void*>(cmd.IdxOffset * sizeof(ImDrawIdx)));
        }
    }
    glDisable(GL_SCISSOR_TEST);  // so the next frame's glClear covers the whole canvas
}

}  // namespace fetchlab

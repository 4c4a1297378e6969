// The panel's triangles: ImGui's vertices are in pixels, projected here to clip space.
// Written to be valid GLSL ES 3.00 (WebGL2) and GLSL 3.30 (OpenGL 3.3): the renderer prepends
// the #version line and the precision.
layout(location = 0) in vec2 position;
layout(location = 1) in vec2 uv;
layout(location = 2) in vec4 color;

uniform mat4 projection;

out vec2 frag_uv;
out vec4 frag_color;

void main() {
    frag_uv = uv;
    frag_color = color;
    gl_Position = projection * vec4(position, 0.0, 1.0);
}

// A vertex colour times the font atlas (white where ImGui draws plain shapes).
uniform sampler2D atlas;

in vec2 frag_uv;
in vec4 frag_color;

out vec4 out_color;

void main() {
    out_color = frag_color * texture(atlas, frag_uv);
}

// Empty: the translation unit that carries cmake/attn-pch.h.

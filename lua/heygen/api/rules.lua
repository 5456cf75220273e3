-- The legacy v1/v2 validation rules moved to heygen.api.schema.legacy; this name stays for
-- the scripts that read the provider lists from it (examples/text_to_video.lua).
return require "heygen.api.schema.legacy"

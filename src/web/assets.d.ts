// Stylesheets are bundled by Bun's bundler into the hashed CSS file.
declare module "*.css";

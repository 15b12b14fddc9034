// Style sheets imported by main.tsx are bundled by esbuild into app.css.
declare module '*.css';

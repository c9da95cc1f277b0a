// Types for papaparse's minified build, its browser build: the same parser as its main file, built
// without Node stream input (which csv.ts does not use; csv.ts says why this build is imported).
declare module 'papaparse/papaparse.min.js' {
  import * as Papa from 'papaparse';
  export default Papa;
}

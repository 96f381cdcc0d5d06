// Allure Report 3 configuration for `make report`: one self-contained index.html that
// opens from disk, grouped by establishment (parentSuite) and profile (suite).
import { defineConfig } from "allure";

export default defineConfig({
  name: "Vérification PRONOTE depuis l'ENT",
  output: "./reports/allure-report",
  // One line per run; kept between nightly runs by the CI cache.
  historyPath: "./reports/history.jsonl",
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: "fr",
        groupBy: ["parentSuite", "suite"],
      },
    },
  },
});

// Countersign's branding of the Camunda webapp (its documented customization point, read from the classpath
// ahead of the webjar's own config.js): the header and the page title say Countersign. Banner styling: ../styles.
export default {
  app: {
    name: 'Admin',
    vendor: 'Countersign'
  }
};

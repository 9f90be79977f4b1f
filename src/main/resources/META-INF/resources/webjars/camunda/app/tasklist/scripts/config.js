// Countersign's branding of the Camunda webapp (its documented customization point, read from the classpath
// ahead of the webjar's own config.js): the header and the page title say Countersign. Banner styling: ../styles.
export default {
  app: {
    name: 'Tasklist',
    vendor: 'Countersign'
  },

  // Camunda's defaults, kept: this file replaces the webjar's.
  shortcuts: {
    claimTask: {
      key: 'ctrl+alt+c',
      description: 'claims the currently selected task'
    },
    focusFilter: {
      key: 'ctrl+shift+f',
      description: 'set the focus to the first filter in the list'
    },
    focusList: {
      key: 'ctrl+alt+l',
      description: 'sets the focus to the first task in the list'
    },
    focusForm: {
      key: 'ctrl+alt+f',
      description: 'sets the focus to the first input field in a task form'
    },
    startProcess: {
      key: 'ctrl+alt+p',
      description: 'opens the start process modal dialog'
    }
  }
};

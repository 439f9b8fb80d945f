"""The project pages' forms: ModelForms that translate, the services write."""
